package app

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/erp-foundation/erp/platform/database"
)

func migrateCommand(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "migrate", Short: "Apply, revert or list schema migrations"}
	run := func(fn func(cmd *cobra.Command, m Migrator, args []string) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			return env.WithOwnerDB(cmd.Context(), func(owner *database.DB, _ *slog.Logger) error {
				return fn(cmd, env.w.NewMigrator(owner), args)
			})
		}
	}
	cmd.AddCommand(
		&cobra.Command{
			Use: "up", Short: "Apply every pending migration", Args: cobra.NoArgs,
			RunE: run(func(cmd *cobra.Command, m Migrator, _ []string) error {
				if err := m.Up(cmd.Context()); err != nil {
					return err
				}
				return printStatus(cmd, m)
			}),
		},
		&cobra.Command{
			Use: "down [N]", Short: "Revert the last N applied migrations (default 1)", Args: cobra.MaximumNArgs(1),
			RunE: run(func(cmd *cobra.Command, m Migrator, args []string) error {
				n := 1
				if len(args) == 1 {
					var err error
					if n, err = strconv.Atoi(args[0]); err != nil || n < 1 {
						return fmt.Errorf("migrate down: N must be a positive integer, got %q", args[0])
					}
				}
				if err := m.Down(cmd.Context(), n); err != nil {
					return err
				}
				return printStatus(cmd, m)
			}),
		},
		&cobra.Command{
			Use: "status", Short: "List applied and pending migrations", Args: cobra.NoArgs,
			RunE: run(func(cmd *cobra.Command, m Migrator, _ []string) error { return printStatus(cmd, m) }),
		},
	)
	return cmd
}

func printStatus(cmd *cobra.Command, m Migrator) error {
	applied, pending, err := m.Status(cmd.Context())
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	for _, id := range applied {
		fmt.Fprintf(out, "applied  %s\n", id)
	}
	for _, id := range pending {
		fmt.Fprintf(out, "pending  %s\n", id)
	}
	fmt.Fprintf(out, "%d applied, %d pending\n", len(applied), len(pending))
	return nil
}
