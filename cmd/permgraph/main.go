package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…" (see the
// Makefile); a plain "go build" leaves it at "dev".
var version = "dev"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run executes the command line args and returns the process exit code. It
// is main without the os.Exit, so that tests can call it.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	root := newRootCmd(version, stdout, stderr)
	root.SetArgs(args)
	return exitCode(stderr, root.ExecuteContext(ctx))
}

// exitCode reports err, if any, on stderr and returns the exit code it means.
func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var fe *failureError
	if errors.As(err, &fe) {
		fmt.Fprintf(stderr, "permgraph: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stderr, "permgraph: %v\nRun 'permgraph --help' for usage.\n", err)
	return exitUsage
}
