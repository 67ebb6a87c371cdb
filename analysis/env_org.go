package analysis

import (
	"cmp"
	"slices"
	"strings"

	"github.com/permgraph/permgraph/analysis/index"
	"github.com/permgraph/permgraph/analysis/policy"
	"github.com/permgraph/permgraph/graph"
)

// maxDepth bounds the walk up the OU tree: Organizations allows five levels
// of OUs, so anything deeper is a broken snapshot (a ChildOf cycle).
const maxDepth = 16

// assumedFull is the level policy of an SCP level with nothing attached in
// the snapshot. Organizations never leaves a level without an SCP once SCPs
// are enabled, so an empty level means the data is incomplete; assuming
// FullAWSAccess shows access rather than hiding it.
var assumedFull = policy.MustCompile("FullAWSAccess (assumed: no SCP attached in the snapshot)",
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)

// account records account node n: its path from the organization root, the
// SCP and RCP levels along it, the management account.
func (b *builder) account(n index.NodeID) {
	nd := b.nodes[n]
	a := &account{id: cmp.Or(nd.Account, strings.TrimPrefix(nd.ID, "account/"))}
	b.env.accounts[a.id] = a

	// chain is the account and its ancestors, the account first.
	chain := []index.NodeID{n}
	for cur := n; len(chain) < maxDepth; {
		ps := b.ix.Out(cur, index.ChildOf)
		if len(ps) == 0 {
			break
		}
		cur = ps[0]
		chain = append(chain, cur)
	}
	top := chain[len(chain)-1]
	if len(chain) == 1 || b.nodes[top].Kind != graph.KindOrganization {
		if len(chain) > 1 {
			b.warnf("%s: the OU tree above it reaches no organization; no SCPs applied", nd.ID)
		}
		return
	}
	org := b.nodes[top]
	a.orgID = strings.TrimPrefix(org.ID, "org/")
	b.env.management = cmp.Or(b.env.management, org.Account)

	levels := slices.Clone(chain[:len(chain)-1]) // root … account
	slices.Reverse(levels)
	var path strings.Builder
	path.WriteString(a.orgID + "/")
	for _, l := range levels[:len(levels)-1] {
		id := b.nodes[l].ID
		path.WriteString(id[strings.IndexByte(id, '/')+1:] + "/")
	}
	a.orgPath = path.String()
	a.ctxPrin = []kv{{"aws:principalorgid", []string{a.orgID}}, {"aws:principalorgpaths", []string{a.orgPath}}}
	a.ctxRes = []kv{{"aws:resourceorgid", []string{a.orgID}}, {"aws:resourceorgpaths", []string{a.orgPath}}}

	if b.hasSCP {
		a.scps = b.levels(levels, graph.PolicySCP)
	}
	if b.hasRCP {
		a.rcps = b.levels(levels, graph.PolicyRCP)
	}
}

// levels returns, per level node, the policies of kind attached to it.
// Accounts under one OU share the OU's slice.
func (b *builder) levels(levels []index.NodeID, kind graph.PolicyKind) [][]*policy.Compiled {
	cache := b.levelCache[kind]
	if cache == nil {
		cache = map[index.NodeID][]*policy.Compiled{}
		b.levelCache[kind] = cache
	}
	out := make([][]*policy.Compiled, len(levels))
	for i, l := range levels {
		if ps, ok := cache[l]; ok {
			out[i] = ps
			continue
		}
		ps := []*policy.Compiled{}
		for _, p := range b.ix.In(l, index.PolicyTarget) {
			if pol := b.nodes[p].Policy; pol == nil || pol.Kind != kind {
				continue
			}
			if c := b.policy(p, b.nodes[l].ID); c != nil {
				ps = append(ps, c)
			}
		}
		if len(ps) == 0 && kind == graph.PolicySCP {
			b.warnf("%s: no SCP attached in the snapshot; FullAWSAccess assumed", b.nodes[l].ID)
			ps = append(ps, assumedFull)
		}
		cache[l] = ps
		out[i] = ps
	}
	return out
}
