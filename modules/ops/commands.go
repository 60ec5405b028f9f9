package ops

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/logging"
	"github.com/erp-foundation/erp/platform/requestid"
)

// Commands returns `backup create|list|verify|restore|prune`, which run as the owner role.
func Commands(env *app.Env) []*cobra.Command {
	backup := &cobra.Command{Use: "backup", Short: "Backups proven restorable (pg_dump/pg_restore, as the owner role)"}
	var deep, force bool
	var target string
	verify := &cobra.Command{
		Use: "verify ID", Short: "Check a backup's checksum and that pg_restore reads it (--deep: restore into a scratch database and compare row counts)",
		Args: cobra.ExactArgs(1),
		RunE: withService(env, func(cmd *cobra.Command, s *Service, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			if deep {
				if _, err := s.VerifyDeep(cmd.Context(), id); err != nil {
					return err
				}
				s.Wait()
				b, err := s.Get(cmd.Context(), id)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "backup %d: deep verification %s %s\n", id, deref(b.Verification), optional(b.VerificationError))
				if deref(b.Verification) != "ok" {
					return fmt.Errorf("backup %d did not verify", id)
				}
				return nil
			}
			v, err := s.Verify(cmd.Context(), id)
			if err != nil {
				return err
			}
			for _, c := range v.Checks {
				fmt.Fprintf(cmd.OutOrStdout(), "%-20s %v %s\n", c.Name, c.OK, c.Detail)
			}
			if !v.OK {
				return fmt.Errorf("backup %d did not verify", id)
			}
			return nil
		}),
	}
	verify.Flags().BoolVar(&deep, "deep", false, "restore into a scratch database and compare row counts")
	restore := &cobra.Command{
		Use:   "restore ID (--target NEW_DATABASE | --force)",
		Short: "Restore a backup into a new database, or replace the live database with --force (after a safety backup)",
		Args:  cobra.ExactArgs(1),
		RunE: withService(env, func(cmd *cobra.Command, s *Service, args []string) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch {
			case force && target == "":
				safety, err := s.ReplaceLive(cmd.Context(), id)
				if safety != nil {
					fmt.Fprintf(out, "safety backup %d of the live database: %s (%s)\n", safety.ID, safety.Status, safety.File)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "the live database now holds backup %d; restart the service (its connections were closed)\n", id)
			case target != "" && !force:
				r, err := s.Restore(cmd.Context(), id, target)
				if err != nil {
					return err
				}
				s.Wait()
				r, err = s.GetRestore(cmd.Context(), id, r.ID)
				if err != nil {
					return err
				}
				if r.Status != "succeeded" {
					return fmt.Errorf("restore into %s failed: %s", target, optional(r.Error))
				}
				fmt.Fprintf(out, "restored backup %d into the new database %s.\nTo serve from it, point database.url and "+
					"database.owner_url at .../%s (ERP_DATABASE_URL, ERP_DATABASE_OWNER_URL), run `erp migrate status` and `erp db grant`, "+
					"then restart the service.\n", id, target, target)
			default:
				return fmt.Errorf("give either --target NEW_DATABASE or --force (replace the live database)")
			}
			return nil
		}),
	}
	restore.Flags().StringVar(&target, "target", "", "restore into this new database (1-63 characters a-z, 0-9, _)")
	restore.Flags().BoolVar(&force, "force", false, "replace the live database (a safety backup is taken first)")
	backup.AddCommand(
		&cobra.Command{
			Use: "create", Short: "Take a backup now and wait for it", Args: cobra.NoArgs,
			RunE: withService(env, func(cmd *cobra.Command, s *Service, _ []string) error {
				b, err := s.Create(cmd.Context())
				if err != nil {
					return err
				}
				s.Wait()
				if b, err = s.Get(cmd.Context(), b.ID); err != nil {
					return err
				}
				printBackup(cmd.OutOrStdout(), b)
				if b.Status != "succeeded" {
					return fmt.Errorf("backup %d failed", b.ID)
				}
				return nil
			}),
		},
		&cobra.Command{
			Use: "list", Short: "List backups, newest first", Args: cobra.NoArgs,
			RunE: withService(env, func(cmd *cobra.Command, s *Service, _ []string) error {
				var rows []Backup
				if err := s.owner.Gorm(cmd.Context()).Order("started_at DESC, id DESC").Find(&rows).Error; err != nil {
					return err
				}
				for i := range rows {
					printBackup(cmd.OutOrStdout(), &rows[i])
				}
				return nil
			}),
		},
		verify, restore,
		&cobra.Command{
			Use: "prune", Short: "Delete the backups the retention settings no longer keep", Args: cobra.NoArgs,
			RunE: withService(env, func(cmd *cobra.Command, s *Service, _ []string) error {
				ids, err := s.Prune(cmd.Context())
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "deleted %d backups %v\n", len(ids), ids)
				return nil
			}),
		},
	)
	return []*cobra.Command{backup}
}

// withService opens the owner's connection for one command.
func withService(env *app.Env, fn func(*cobra.Command, *Service, []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		cmd.SetContext(requestid.With(cmd.Context(), "cli-backup-"+cmd.Name()))
		return env.WithOwnerDB(cmd.Context(), func(owner *database.DB, _ *slog.Logger) error {
			cfg := env.Config()
			return fn(cmd, NewService(owner, cfg.Database.Owner().URL, "", cfg.Backup, logging.Discard(), nil), args)
		})
	}
}

func printBackup(w io.Writer, b *Backup) {
	size := "-"
	if b.SizeBytes != nil {
		size = strconv.FormatInt(*b.SizeBytes, 10)
	}
	fmt.Fprintf(w, "%d\t%s\t%s\t%s bytes\t%s\t%s\n", b.ID, b.Status, b.StartedAt.UTC().Format("2006-01-02T15:04:05Z"),
		size, b.File, strings.TrimSpace(optional(b.Error)))
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, fmt.Errorf("a backup id is a positive integer, got %q", s)
	}
	return id, nil
}

func optional(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
