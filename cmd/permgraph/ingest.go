package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/permgraph/permgraph/graph"
	"github.com/permgraph/permgraph/ingest"
	"github.com/permgraph/permgraph/ingest/bundle"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

const ingestLong = `ingest reads an org bundle (DESIGN.md §6) — a directory holding an optional
organization.json and accounts/<account-id>/ directories, or a single
authorization-details.json — maps it to the permission graph and writes it to
the store as a new snapshot, which becomes current.

The store is --data, by default $XDG_STATE_HOME/permgraph or, without
XDG_STATE_HOME, ~/.local/state/permgraph. After the write, snapshots beyond
--retention are deleted, oldest first (0 keeps them all).

Input that cannot be read is an error naming the file and the JSON path (or
CSV line), and nothing is written. With --skip-invalid an entry whose policy
document does not parse is left out instead and the snapshot records a
warning. Users and roles are classified with the built-in rules, after those
of --rules FILE ({"rules": [...]}) if given.

It prints the new snapshot as "permgraph snapshots" does. On a terminal, a
progress bar goes to standard error.`

// ingestFlags are the flags of the ingest command.
type ingestFlags struct {
	data, rules string
	skipInvalid bool
	retention   int
}

func newIngestCmd(g *globals) *cobra.Command {
	f := &ingestFlags{}
	cmd := &cobra.Command{
		Use:   "ingest PATH",
		Short: "Read an org bundle into a new graph snapshot",
		Long:  ingestLong,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runIngest(cmd.Context(), g, f, args[0])
		},
	}
	addDataFlag(cmd, &f.data)
	cmd.AddCommand(newIngestAWSCmd(g)) // permgraph ingest aws: live, from the AWS APIs
	f.addFlags(cmd)
	return cmd
}

// addFlags adds the flags every form of ingest takes.
func (f *ingestFlags) addFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.rules, "rules", "", "JSON file of classification rules, tried before the built-in ones")
	fl.BoolVar(&f.skipInvalid, "skip-invalid", false, "leave out entries with invalid policy documents, with a warning")
	fl.IntVar(&f.retention, "retention", graph.DefaultOptions("").Retention, "snapshots to keep (0 keeps all)")
}

// prepare checks the flags and returns the store directory and the user's
// classification rules.
func (f *ingestFlags) prepare() (dir string, rules []graph.Rule, err error) {
	if f.retention < 0 {
		return "", nil, errors.New("--retention must not be negative")
	}
	if dir, err = dataDir(f.data); err != nil {
		return "", nil, err
	}
	if f.rules != "" {
		if rules, err = graph.LoadRules(f.rules); err != nil {
			return "", nil, err
		}
	}
	return dir, rules, nil
}

func runIngest(ctx context.Context, g *globals, f *ingestFlags, path string) (err error) {
	dir, rules, err := f.prepare()
	if err != nil {
		return err
	}
	b, err := bundle.Read(path, bundle.Options{SkipInvalid: f.skipInvalid})
	if err != nil {
		return err
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	bars := newProgress(g)
	snap, err := ingest.Build(b, ingest.Options{
		Rules: rules, Source: "bundle:" + path, Created: time.Now().UTC(),
		Progress: func(_ string, done, total int) { bars.step("accounts", done, total) },
	})
	if err != nil {
		return err
	}

	opts := graph.DefaultOptions(dir).WithRetention(f.retention).WithLogger(g.log).
		WithProgress(func(p graph.Progress) {
			g.log.Debug().Str("snapshot", string(p.Snapshot)).Int("written", p.Written).Int("total", p.Total).
				Msg("snapshot batch flushed")
			bars.step("writing", p.Written, p.Total)
		})
	st, err := graph.Open(opts)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	id, err := st.Write(ctx, snap)
	if err != nil {
		return err
	}
	snap.Meta.ID = id
	e := newSnapshotEntry(&snap.Meta, id)
	if g.output == outputJSON {
		return printJSON(g.stdout, e)
	}
	return printSnapshots(g, []snapshotEntry{e})
}

// progress draws progress bars on standard error when it is a terminal and
// the output is not JSON; otherwise it does nothing.
type progress struct {
	on   bool
	bar  *progressbar.ProgressBar
	name string
}

func newProgress(g *globals) *progress {
	f, ok := g.stderr.(*os.File)
	on := ok && g.output != outputJSON && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
	return &progress{on: on}
}

// step shows done of total for the stage name, starting a bar for a new
// stage and finishing it at total.
func (p *progress) step(name string, done, total int) {
	if !p.on {
		return
	}
	if p.name != name {
		p.name = name
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription(name), progressbar.OptionShowCount(),
			progressbar.OptionOnCompletion(func() { os.Stderr.WriteString("\n") }))
	}
	_ = p.bar.Set(done) // drawing errors are not worth failing an ingest
}
