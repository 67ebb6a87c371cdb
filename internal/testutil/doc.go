// Package testutil holds small helpers shared by the project's tests:
// locating the shared real-world data set and reading it.
package testutil
