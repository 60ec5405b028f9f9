package app

import (
	"fmt"
	"log/slog"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/erp-foundation/erp/platform/database"
)

func dbCommand(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "db", Short: "Database roles and privileges"}
	cmd.AddCommand(&cobra.Command{
		Use:   "grant",
		Short: "Make database.url's role a least-privilege application role (run as database.owner_url after migrations)",
		Long: "Creates the role database.url names when it does not exist (with that URL's password), lets it " +
			"connect, read and write the rows of every table (today's and, through default privileges, future ones), " +
			"only read the append-only ones, and nothing else: no DDL, no TRUNCATE. Idempotent.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := env.Config()
			u, err := url.Parse(cfg.Database.URL)
			if err != nil || u.User == nil || u.User.Username() == "" {
				return fmt.Errorf("database.url must name the application role (postgres://role:password@host/db)")
			}
			password, _ := u.User.Password()
			role := u.User.Username()
			return env.WithOwnerDB(cmd.Context(), func(owner *database.DB, _ *slog.Logger) error {
				if err := owner.GrantApplicationRole(cmd.Context(), role, password,
					database.Privileges{ReadOnly: env.w.ReadOnlyTables}); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "role %s may read and write rows (read only: %v); it cannot change the schema\n",
					role, env.w.ReadOnlyTables)
				return nil
			})
		},
	})
	return cmd
}
