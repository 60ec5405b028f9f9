package user

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/requestid"
)

// PasswordEnv is read by create-admin instead of standard input when set.
const PasswordEnv = "ERP_ADMIN_PASSWORD"

// Commands returns `users create-admin`.
func Commands(env *app.Env) []*cobra.Command {
	var email, fullName string
	create := &cobra.Command{
		Use:   "create-admin --email EMAIL",
		Short: "Create an admin; the password comes from " + PasswordEnv + " or standard input, never the command line",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			password, err := readPassword(cmd.InOrStdin(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if p := passwordProblems("password", password); len(p) > 0 {
				return fmt.Errorf("password %s", p[0].Message)
			}
			log, err := env.Logger()
			if err != nil {
				return err
			}
			d, err := env.OpenDB(cmd.Context(), log)
			if err != nil {
				return err
			}
			defer d.Close()
			svc := NewService(d, env.Config().Auth.BcryptCost, NewDirectory(d, 0))
			u, err := svc.CreateAdmin(requestid.With(cmd.Context(), "cli-create-admin"), email, fullName, password)
			if err != nil {
				return explain(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created admin %s (id %d)\n", u.Email, u.ID)
			return nil
		},
	}
	create.Flags().StringVar(&email, "email", "", "the admin's email (required)")
	create.Flags().StringVar(&fullName, "full-name", "Administrator", "the admin's full name")
	_ = create.MarkFlagRequired("email")
	users := &cobra.Command{Use: "users", Short: "Manage users"}
	users.AddCommand(create)
	return []*cobra.Command{users}
}

// readPassword takes ERP_ADMIN_PASSWORD when set, else asks on the terminal (twice, without
// echo), else reads the first line of standard input.
func readPassword(in io.Reader, prompt io.Writer) (string, error) {
	if p, ok := os.LookupEnv(PasswordEnv); ok {
		return p, nil
	}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "Password: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", err
		}
		fmt.Fprint(prompt, "Repeat password: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", err
		}
		if string(first) != string(second) {
			return "", errors.New("the passwords differ")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// explain turns a failed insert into a sentence for the terminal.
func explain(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "uq_users_email" {
		return errors.New("that email is already registered")
	}
	return err
}
