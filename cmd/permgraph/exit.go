package main

// Exit codes of the permgraph binary. They are documented in the root
// command's long help; keep the two in step.
const (
	exitOK      = 0 // the command ran and its result is a success
	exitFailure = 1 // the command ran but its result says failure
	exitUsage   = 2 // bad flags, arguments or input files
)

// failureError marks an error as "the command ran, and its result is a
// failure" (exit 1), for example a batch in which some lines failed. Any
// other error returned by a command is a usage or input error (exit 2).
type failureError struct{ err error }

func (e *failureError) Error() string { return e.err.Error() }
func (e *failureError) Unwrap() error { return e.err }

// failure wraps err so that run exits with [exitFailure].
func failure(err error) error { return &failureError{err: err} }
