package bundle

import (
	"errors"
	"os"
)

// Publish makes the bundle written in the directory tmp appear at out in one
// step, so that a reader never sees half a bundle: tmp is renamed to out,
// an existing out being moved aside first and removed after. tmp and out
// must be on the same file system (write tmp next to out).
func Publish(tmp, out string) error {
	if _, err := os.Lstat(out); errors.Is(err, os.ErrNotExist) {
		return os.Rename(tmp, out)
	}
	old := tmp + ".old"
	if err := os.Rename(out, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return errors.Join(err, os.Rename(old, out))
	}
	return os.RemoveAll(old)
}
