// Command permgraph answers who can do what in an AWS organization, through
// which path, and what it would take to remove that power.
//
// The command tree is built by newRootCmd, one file per subcommand, with no
// package-level state: main only calls run, which tests call directly. Run
// "permgraph --help" for the subcommands and the exit codes.
package main
