package app

import (
	"github.com/gin-gonic/gin"
	"github.com/spf13/cobra"

	"github.com/erp-foundation/erp/platform/logging"
)

// openapiCommand prints the OpenAPI document without a database (client generators, linters).
func openapiCommand(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "openapi",
		Short: "Print the OpenAPI document of every route (no database needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			gin.SetMode(gin.ReleaseMode) // no route listing on stdout
			// The modules are assembled without connections: nothing runs, the routes are listed.
			svc, err := Assemble(*env.w, env.Config(), Databases{}, logging.Discard())
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(append(svc.HTTP.OpenAPI(), '\n'))
			return err
		},
	}
}
