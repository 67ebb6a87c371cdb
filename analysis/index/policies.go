package index

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// ErrInvalidPolicy is wrapped by the errors of policy nodes whose document
// is missing or cannot be parsed or compiled.
var ErrInvalidPolicy = errors.New("index: invalid policy")

// PolicyError says which policy node failed and why. It matches both
// [ErrInvalidPolicy] and its cause (such as a *policy.ParseError) with
// errors.Is and errors.As.
type PolicyError struct {
	Node string // graph ID of the policy node
	Err  error
}

func (e *PolicyError) Error() string { return fmt.Sprintf("policy %s: %v", e.Node, e.Err) }

// Unwrap returns ErrInvalidPolicy and the cause.
func (e *PolicyError) Unwrap() []error { return []error{ErrInvalidPolicy, e.Err} }

// maxJoined bounds how many policy errors a failed Build spells out.
const maxJoined = 10

// compileJob is one distinct document and the policy node that names it.
type compileJob struct {
	name, doc string
	out       *policy.Compiled
	err       error
}

// compilePolicies parses and compiles each distinct default-version
// document once, on a bounded pool of workers.
//
// NOTE(index): documents are deduplicated by their exact bytes, keyed in a
// Go map (a hash table that also compares the bytes, so two documents never
// share by collision). Textually different but equivalent documents
// (whitespace, key order) are compiled separately. A shared *Compiled is
// named after the first policy node (in NodeID order) holding the document,
// so explanations from policy.Evaluate name that node; callers that need the
// node a principal actually reached must take it from the graph.
func (ix *Index) compilePolicies(nodes []graph.Node, order []int32, opts Options) error {
	type ref struct {
		n   NodeID
		job int32 // -1 when the node has no usable document
		err error
	}
	var (
		jobs  []compileJob
		refs  []ref // policy nodes, in NodeID order
		byDoc = make(map[string]int32)
	)
	for i, o := range order {
		src := &nodes[o]
		if src.Kind != graph.KindPolicy {
			continue
		}
		doc, err := defaultDocument(src.Policy)
		if err != nil {
			refs = append(refs, ref{n: NodeID(i), job: -1, err: err})
			continue
		}
		j, ok := byDoc[doc]
		if !ok {
			j = int32(len(jobs))
			byDoc[doc] = j
			jobs = append(jobs, compileJob{name: src.ID, doc: doc})
		}
		refs = append(refs, ref{n: NodeID(i), job: j})
	}
	runJobs(jobs, opts.workers())

	if len(refs) > 0 {
		ix.polRef = make([]uint32, len(order))
	}
	ix.compiled = make([]*policy.Compiled, len(jobs))
	for j := range jobs {
		ix.compiled[j] = jobs[j].out
	}
	var invalid []*PolicyError
	for _, r := range refs {
		if r.job >= 0 && jobs[r.job].err != nil {
			r.err = jobs[r.job].err
		}
		if r.err != nil {
			invalid = append(invalid, &PolicyError{Node: nodes[order[r.n]].ID, Err: r.err})
			continue
		}
		ix.polRef[r.n] = uint32(r.job) + 1
	}
	if len(invalid) == 0 {
		return nil
	}
	if opts.SkipInvalid {
		ix.warnings = make([]error, len(invalid))
		for i, e := range invalid {
			ix.warnings[i] = e
		}
		return nil
	}
	errs := make([]error, 0, maxJoined+1)
	for _, e := range invalid[:min(len(invalid), maxJoined)] {
		errs = append(errs, e)
	}
	if len(invalid) > maxJoined {
		errs = append(errs, fmt.Errorf("and %d more invalid policies", len(invalid)-maxJoined))
	}
	return errors.Join(errs...)
}

// runJobs compiles every job on at most workers goroutines. Jobs are
// independent; each worker claims the next one with an atomic counter.
func runJobs(jobs []compileJob, workers int) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range min(workers, len(jobs)) {
		wg.Go(func() {
			for {
				j := int(next.Add(1) - 1)
				if j >= len(jobs) {
					return
				}
				jobs[j].out, jobs[j].err = compileDoc(jobs[j].name, jobs[j].doc)
			}
		})
	}
	wg.Wait()
}

func compileDoc(name, doc string) (*policy.Compiled, error) {
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		return nil, err
	}
	return policy.Compile(name, p)
}

// defaultDocument returns the document of the version in force.
func defaultDocument(p *graph.Policy) (string, error) {
	switch {
	case p == nil:
		return "", errors.New("policy node without policy")
	case len(p.Versions) == 0:
		return "", errors.New("no document")
	case p.DefaultVersionID == "" && len(p.Versions) == 1:
		return p.Versions[0].Document, nil
	case p.DefaultVersionID == "":
		return "", fmt.Errorf("%d versions and no default version", len(p.Versions))
	}
	for _, v := range p.Versions {
		if v.ID == p.DefaultVersionID {
			return v.Document, nil
		}
	}
	return "", fmt.Errorf("default version %q not among the versions", p.DefaultVersionID)
}

// Compiled returns the compiled default-version document of policy node n,
// or nil if n is not a policy node or its document was invalid (see
// [Index.Warnings]). Policy nodes with byte-identical documents share one
// *Compiled, so pointer equality means "same document".
func (ix *Index) Compiled(n NodeID) *policy.Compiled {
	if uint(n) >= uint(len(ix.polRef)) || ix.polRef[n] == 0 {
		return nil
	}
	return ix.compiled[ix.polRef[n]-1]
}

// NumCompiled returns the number of distinct compiled documents.
func (ix *Index) NumCompiled() int {
	n := 0
	for _, c := range ix.compiled {
		if c != nil {
			n++
		}
	}
	return n
}

// Warnings returns the policy nodes skipped under [Options.SkipInvalid],
// each a *[PolicyError], in NodeID order.
func (ix *Index) Warnings() []error { return append([]error(nil), ix.warnings...) }
