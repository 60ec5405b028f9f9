package app

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/erp-foundation/erp/platform/config"
)

func configCommand(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Inspect the configuration"}
	cmd.AddCommand(&cobra.Command{
		Use:   "print",
		Short: "Print every key's effective value and where it came from (secrets redacted)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			file := env.loaded.FileUsed
			if file == "" {
				file = "(none)"
			}
			fmt.Fprintf(out, "# config file: %s\n", file)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE\tOVERRIDE WITH")
			for _, e := range env.loaded.Entries {
				source := e.Source
				switch source {
				case config.SourceEnv:
					source = "environment (" + e.EnvVar + ")"
				case config.SourceFile:
					source = "file " + env.loaded.FileUsed
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Key, quoteEmpty(e.Value), source, e.EnvVar)
			}
			return tw.Flush()
		},
	})
	return cmd
}

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}
