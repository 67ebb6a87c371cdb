package synth

import (
	"fmt"
	"time"
)

// Kinds of account, which decide where an account sits in the OU tree and
// what lives in it.
const (
	kindManagement = "management"
	kindLogArchive = "log-archive"
	kindSecurity   = "security"
	kindNetwork    = "network"
	kindShared     = "shared-services"
	kindProd       = "prod"
	kindNonProd    = "nonprod"
	kindSandbox    = "sandbox"
	kindSuspended  = "suspended"
)

// orgPlan is everything decided before any account is generated: the OU
// tree, the accounts and the links between them. Account generators only
// read it, so they can run in parallel and still give the same bytes.
type orgPlan struct {
	seed       uint64
	size       Size
	now        time.Time // the moment the bundle describes
	orgID      string
	rootID     string
	company    string // lower-case, for emails, bucket names, the GitHub org
	ous        []ouPlan
	accounts   []*acctPlan
	policies   []orgPolicy
	samlSuffix string // of the IAM Identity Center SAML provider, org-wide
	vendorIDs  []string
	shared     int // account holding the CI hub role
	security   int // account holding the security scanner
	chains     []chain
	plants     []*acctPlan // plants[i] is where planted method i lives
}

type ouPlan struct {
	id, name, parent string
	tags             []tag
}

type acctPlan struct {
	idx                       int
	id, name, email, kind, ou string
	region                    string // home region
	joined                    time.Time
	invited                   bool
	budget                    int // identities (users + roles) to create
}

// chain is a cross-account role chain: c's role may assume b's role, which
// may assume a's role.
type chain struct{ a, b, c, n int }

func (ch chain) names() (a, b, c string) {
	return fmt.Sprintf("release-target-%d", ch.n), fmt.Sprintf("release-broker-%d", ch.n), fmt.Sprintf("release-pipeline-%d", ch.n)
}

func (o *orgPlan) mgmt() *acctPlan { return o.accounts[0] }

func (o *orgPlan) orgArn(kind, id string) string {
	switch kind {
	case "organization":
		return fmt.Sprintf("arn:aws:organizations::%s:organization/%s", o.mgmt().id, o.orgID)
	case "root":
		return fmt.Sprintf("arn:aws:organizations::%s:root/%s/%s", o.mgmt().id, o.orgID, id)
	}
	return fmt.Sprintf("arn:aws:organizations::%s:%s/%s/%s", o.mgmt().id, kind, o.orgID, id)
}

// planOrg decides the organization for size and seed.
func planOrg(size Size, seed uint64) *orgPlan {
	r := newRNG(seed, 0)
	p := size.params()
	o := &orgPlan{seed: seed, size: size, company: pick(r, []string{"acme", "globex", "initech", "umbrella", "hooli", "vandelay"})}
	// Fixed, seed-derived time: somewhere in 2026.
	o.now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seed%(300*24)) * time.Hour)
	o.orgID = "o-" + r.chars(lowerAlnum, 10)
	o.rootID = "r-" + r.chars(lowerAlnum, 4)
	o.samlSuffix = r.hex(16)
	for range vendors {
		o.vendorIDs = append(o.vendorIDs, r.accountID())
	}
	o.planOUs(r)
	o.planAccounts(r, p)
	o.planLinks(r)
	o.planPolicies(r)
	return o
}

func (o *orgPlan) newOU(r rng, name, parent string, tags ...tag) string {
	id := "ou-" + o.rootID[2:] + "-" + r.chars(lowerAlnum, 8)
	o.ous = append(o.ous, ouPlan{id: id, name: name, parent: parent, tags: tags})
	return id
}

// ouByName returns the id of the OU called name; names are unique.
func (o *orgPlan) ouByName(name string) string {
	for _, u := range o.ous {
		if u.name == name {
			return u.id
		}
	}
	panic("synth: no OU " + name)
}

func (o *orgPlan) planOUs(r rng) {
	o.newOU(r, "Security", o.rootID, tag{"owner", "security"})
	o.newOU(r, "Infrastructure", o.rootID, tag{"owner", "platform"})
	w := o.newOU(r, "Workloads", o.rootID)
	prod := o.newOU(r, "Prod", w, tag{"env", "prod"})
	nonprod := o.newOU(r, "NonProd", w, tag{"env", "nonprod"})
	for _, bu := range []string{"Commerce", "Data", "Corporate"} {
		o.newOU(r, "Prod-"+bu, prod, tag{"env", "prod"}, tag{"business-unit", bu})
		o.newOU(r, "NonProd-"+bu, nonprod, tag{"env", "nonprod"}, tag{"business-unit", bu})
	}
	o.newOU(r, "Sandbox", o.rootID, tag{"env", "sandbox"})
	o.newOU(r, "Suspended", o.rootID)
	o.newOU(r, "PolicyStaging", o.rootID)
}

// planAccounts creates p.accounts accounts: the management account, the
// foundation accounts, then workloads, sandboxes and a few suspended ones.
func (o *orgPlan) planAccounts(r rng, p sizeParams) {
	used := map[string]bool{}
	add := func(name, kind, ou string) *acctPlan {
		id := r.accountID()
		for used[id] {
			id = r.accountID()
		}
		used[id] = true
		a := &acctPlan{idx: len(o.accounts), id: id, name: name, kind: kind, ou: ou,
			region:  pick(r, regions),
			email:   fmt.Sprintf("aws+%s@%s.example.com", name, o.company),
			joined:  r.timeBetween(o.now.AddDate(-7, 0, 0), o.now.AddDate(0, -1, 0)),
			invited: r.chance(0.1)}
		o.accounts = append(o.accounts, a)
		return a
	}
	nm := names{}
	add(o.company+"-management", kindManagement, o.rootID)
	if p.accounts == 2 {
		add(nm.unique(pick(r, teams)+"-prod"), kindProd, o.ouByName("Prod-Commerce"))
	} else {
		add("log-archive", kindLogArchive, o.ouByName("Security"))
		add("security-tooling", kindSecurity, o.ouByName("Security"))
		add("network", kindNetwork, o.ouByName("Infrastructure"))
		add("shared-services", kindShared, o.ouByName("Infrastructure"))
	}
	bus := []string{"Commerce", "Data", "Corporate"}
	for len(o.accounts) < p.accounts {
		team := pick(r, teams)
		switch x := r.Float64(); {
		case x < 0.40:
			add(nm.unique(team+"-prod"), kindProd, o.ouByName("Prod-"+pick(r, bus)))
		case x < 0.75:
			env := pick(r, []string{"dev", "staging", "qa"})
			add(nm.unique(team+"-"+env), kindNonProd, o.ouByName("NonProd-"+pick(r, bus)))
		case x < 0.94:
			add(nm.unique("sandbox-"+pick(r, firstNames)), kindSandbox, o.ouByName("Sandbox"))
		default:
			add(nm.unique("closed-"+team), kindSuspended, o.ouByName("Suspended"))
		}
	}
	o.shared, o.security = 1, 1
	for _, a := range o.accounts {
		switch a.kind {
		case kindShared:
			o.shared = a.idx
		case kindSecurity:
			o.security = a.idx
		}
	}
	o.planBudgets(p)
}

// planBudgets shares p.identities among the accounts with IAM data: small
// ones for the management and foundation accounts, the rest evenly.
func (o *orgPlan) planBudgets(p sizeParams) {
	var big []*acctPlan
	left := p.identities
	for _, a := range o.accounts {
		switch a.kind {
		case kindSuspended:
		case kindManagement, kindLogArchive, kindNetwork:
			a.budget = min(60, p.identities/len(o.accounts))
			left -= a.budget
		default:
			big = append(big, a)
		}
	}
	for i, a := range big {
		a.budget = left / len(big)
		if i < left%len(big) {
			a.budget++
		}
	}
}

// workloadAccounts are the prod and nonprod accounts, where planted
// escalations and chains go.
func (o *orgPlan) workloadAccounts() []*acctPlan {
	var out []*acctPlan
	for _, a := range o.accounts {
		if a.kind == kindProd || a.kind == kindNonProd {
			out = append(out, a)
		}
	}
	return out
}

func (o *orgPlan) planLinks(r rng) {
	w := o.workloadAccounts()
	n := 1 + len(o.accounts)/8
	for i := range n {
		ch := chain{n: i + 1, a: pick(r, w).idx, b: pick(r, w).idx, c: pick(r, w).idx}
		if i == 0 && len(w) >= 3 { // the planted chain crosses three accounts
			p := r.Perm(len(w))
			ch.a, ch.b, ch.c = w[p[0]].idx, w[p[1]].idx, w[p[2]].idx
		}
		o.chains = append(o.chains, ch)
	}
	for i := range plantedMethods {
		// Spread the planted escalations over the workload accounts.
		o.plants = append(o.plants, w[(i*7)%len(w)])
	}
}
