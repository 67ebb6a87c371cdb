package main

import (
	"runtime"

	"github.com/spf13/cobra"
)

// versionInfo is what "permgraph version" reports.
type versionInfo struct {
	Version string `json:"version"`
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

func newVersionCmd(g *globals, ver string) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of permgraph and of the Go toolchain that built it",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v := versionInfo{Version: ver, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
			if g.output == outputJSON {
				return printJSON(g.stdout, v)
			}
			t := newTable(g.stdout)
			t.row("version", v.Version)
			t.row("go", v.Go)
			t.row("platform", v.OS+"/"+v.Arch)
			return t.flush()
		},
	}
}
