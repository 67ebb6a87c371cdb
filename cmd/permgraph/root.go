package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
)

// globals holds what the root command's persistent flags decide, for every
// subcommand: where to write, in which format, and the logger.
type globals struct {
	stdout, stderr io.Writer
	output         outputFormat
	logLevel       logLevel
	log            zerolog.Logger
}

const rootLong = `permgraph answers, for a whole AWS organization, who can do what, through
which path, and what it would take to remove that power without breaking
anything.

Output is a table for people, or JSON for scripts with -o json. Logs go to
standard error: readable on a terminal, JSON lines otherwise.

Exit codes:
  0  success
  1  the command ran but its result says failure (e.g. a batch with failed lines)
  2  usage or input error (bad flags, arguments or input files)`

// newRootCmd builds the whole command tree. It holds no state outside the
// returned command, so tests can build as many as they like.
func newRootCmd(ver string, stdout, stderr io.Writer) *cobra.Command {
	g := &globals{
		stdout:   stdout,
		stderr:   stderr,
		output:   outputTable,
		logLevel: logLevel(zerolog.WarnLevel),
		log:      zerolog.Nop(),
	}
	root := &cobra.Command{
		Use:           "permgraph",
		Short:         "Who can do what in an AWS organization, and how to take it away",
		Long:          rootLong,
		Version:       ver,
		SilenceErrors: true, // run prints the error once, with the exit code
		SilenceUsage:  true,
		PersistentPreRun: func(*cobra.Command, []string) {
			g.log = newLogger(stderr, zerolog.Level(g.logLevel))
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return err })

	pf := root.PersistentFlags()
	pf.VarP(&g.output, "output", "o", "output format: table|json")
	pf.Var(&g.logLevel, "log-level", "log level: debug|info|warn|error")

	root.AddCommand(
		newVersionCmd(g, ver),
		newCanCmd(g), newDemoCmd(g), newIngestCmd(g), newSnapshotsCmd(g), newDiffCmd(g),
		newSynthCmd(g),
		newWhoCanCmd(g), newPathsCmd(g),
		newResidualCmd(g),
		newFindingsCmd(g), newChokepointsCmd(g),
		newCollectCmd(g),
		newCanWhatCmd(g), newBlastRadiusCmd(g), newInventoryCmd(g),
	)
	return root
}

// newLogger logs to w at level: a console writer when w is a terminal, JSON
// lines otherwise.
func newLogger(w io.Writer, level zerolog.Level) zerolog.Logger {
	if f, ok := w.(*os.File); ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		w = zerolog.ConsoleWriter{Out: f, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}

// logLevel is the value of --log-level; it accepts only the levels we
// document.
type logLevel zerolog.Level

var logLevels = []string{"debug", "info", "warn", "error"}

func (l *logLevel) String() string { return zerolog.Level(*l).String() }
func (l *logLevel) Type() string   { return "level" }

func (l *logLevel) Set(s string) error {
	for _, name := range logLevels {
		if s != name {
			continue
		}
		lv, err := zerolog.ParseLevel(s)
		if err != nil {
			return err
		}
		*l = logLevel(lv)
		return nil
	}
	return fmt.Errorf("must be one of %s", strings.Join(logLevels, ", "))
}
