package audit

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/database"
)

// Commands returns `partitions ensure`, `archive audit` and `archive restore`, which run as the
// owner role (database.owner_url).
func Commands(env *app.Env) []*cobra.Command {
	partitions := &cobra.Command{Use: "partitions", Short: "Manage the audit trail's monthly partitions"}
	partitions.AddCommand(&cobra.Command{
		Use:   "ensure",
		Short: "Create the partitions of the current month and the months ahead (audit.months_ahead); idempotent",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withOwner(cmd, env, func(o *ownerJobs) error {
				created, err := o.partitions.Ensure(cmd.Context())
				if err != nil {
					return err
				}
				st, err := o.partitions.Refresh(cmd.Context())
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created %d partitions; %d months from the current one exist; %d rows in the default partition\n",
					created, st.MonthsAhead, st.DefaultRows)
				return nil
			})
		},
	})

	var before string
	var dryRun bool
	archiveAudit := &cobra.Command{
		Use:   "audit --before YYYY-MM",
		Short: "Move every whole month of audit events before YYYY-MM into files in archive.dir, verified, then drop them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			limit, err := time.Parse("2006-01", before)
			if err != nil {
				return fmt.Errorf("--before must be a month such as 2026-01, got %q", before)
			}
			return withOwner(cmd, env, func(o *ownerJobs) error {
				results, err := o.archiver.Archive(cmd.Context(), limit, dryRun)
				for _, r := range results {
					verb := "archived"
					if !r.Done {
						verb = "would archive"
					}
					fmt.Fprintf(cmd.OutOrStdout(), "%s %s: %d rows -> %s %s\n", verb, r.Month.Format("2006-01"), r.Rows, r.File, r.SHA256)
				}
				if err == nil && len(results) == 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "nothing to archive before %s\n", limit.Format("2006-01"))
				}
				return err
			})
		},
	}
	archiveAudit.Flags().StringVar(&before, "before", "", "archive the months before this one (YYYY-MM, UTC)")
	archiveAudit.Flags().BoolVar(&dryRun, "dry-run", false, "only list what would be archived")
	_ = archiveAudit.MarkFlagRequired("before")

	restore := &cobra.Command{
		Use:   "restore FILE",
		Short: "Bring an archived month back into audit_events from its file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withOwner(cmd, env, func(o *ownerJobs) error {
				r, err := o.archiver.Restore(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "restored %s: %d rows from %s\n", r.Month.Format("2006-01"), r.Rows, r.File)
				return nil
			})
		},
	}
	archive := &cobra.Command{Use: "archive", Short: "Archive old audit months to files and restore them"}
	archive.AddCommand(archiveAudit, restore)
	return []*cobra.Command{partitions, archive}
}

type ownerJobs struct {
	partitions *Partitions
	archiver   *Archiver
}

// withOwner opens the owner connection for one command.
func withOwner(cmd *cobra.Command, env *app.Env, fn func(*ownerJobs) error) error {
	return env.WithOwnerDB(cmd.Context(), func(owner *database.DB, log *slog.Logger) error {
		cfg := env.Config()
		p, err := NewPartitions(owner, cfg.Audit.MonthsAhead, log, nil)
		if err != nil {
			return err
		}
		return fn(&ownerJobs{partitions: p, archiver: NewArchiver(owner, cfg.Archive.Dir)})
	})
}
