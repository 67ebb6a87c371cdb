package awsingest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/permgraph/permgraph/ingest/bundle"
)

// ErrExists is returned by [Collection.WriteBundle] when the output exists,
// is not empty, and replacing it was not asked for.
var ErrExists = errors.New("awsingest: output exists and is not empty")

// WriteBundle writes c as an org bundle into dir, atomically: into a
// temporary sibling directory first, renamed to dir at the end. An existing
// non-empty dir is replaced only with replace.
func (c *Collection) WriteBundle(dir string, replace bool) error {
	dir = filepath.Clean(dir)
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 && !replace {
		return fmt.Errorf("%s: %w", dir, ErrExists)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	err = c.writeFiles(tmp)
	if err == nil {
		err = os.Chmod(tmp, 0o755)
	}
	if err == nil {
		err = bundle.Publish(tmp, dir)
	}
	if err != nil {
		os.RemoveAll(tmp)
	}
	return err
}

// Bundle decodes c with ingest/bundle. It goes through the files, in a
// temporary directory, so that a live ingest reads exactly what an ingest of
// [Collection.WriteBundle]'s output reads.
//
// NOTE: ingest/bundle exports decoders for organization.json and
// authorization-details.json only; going through the files keeps one
// decoding path for all of them.
func (c *Collection) Bundle(opts bundle.Options) (*bundle.Bundle, error) {
	tmp, err := os.MkdirTemp("", "permgraph-collect-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := c.writeFiles(tmp); err != nil {
		return nil, err
	}
	return bundle.Read(tmp, opts)
}

func (c *Collection) writeFiles(dir string) error {
	if c.org != nil {
		if err := writeJSON(filepath.Join(dir, "organization.json"), c.org); err != nil {
			return err
		}
	}
	for _, id := range c.AccountIDs() {
		a := c.accounts[id]
		adir := filepath.Join(dir, "accounts", id)
		if err := os.MkdirAll(adir, 0o755); err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(adir, "authorization-details.json"), a.gaad); err != nil {
			return err
		}
		if a.credentialReport != nil {
			if err := os.WriteFile(filepath.Join(adir, "credential-report.csv"), a.credentialReport, 0o644); err != nil {
				return err
			}
		}
		if a.resourcesRead {
			if err := writeJSON(filepath.Join(adir, "resources.json"), map[string]any{"Resources": a.resources}); err != nil {
				return err
			}
		}
		if a.lastAccessedRead {
			p := a.lastAccessed
			if p == nil {
				p = []principalAccess{}
			}
			if err := writeJSON(filepath.Join(adir, "last-accessed.json"), map[string]any{"Principals": p}); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeJSON(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	e := json.NewEncoder(w)
	e.SetEscapeHTML(false)
	e.SetIndent("", "    ")
	err = e.Encode(v)
	if err == nil {
		err = w.Flush()
	}
	return errors.Join(err, f.Close())
}
