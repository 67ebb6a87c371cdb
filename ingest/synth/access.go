package synth

import (
	"bufio"
	"strings"
	"time"
)

// lastAccessed returns what p last used: most of what it is granted, above
// all the privileged actions, unused.
func (a *account) lastAccessed(p *ident) principalAccess {
	svcs := p.services
	if p.admin {
		svcs = append([]string{}, svcs...)
		for range a.r.between(8, 14) {
			if s := pick(a.r, services).ns; !contains(svcs, s) {
				svcs = append(svcs, s)
			}
		}
	}
	out := principalAccess{Arn: p.arn, ServicesLastAccessed: []serviceAccess{}}
	since := a.o.now.AddDate(0, 0, -400)
	if p.created.After(since) {
		since = p.created
	}
	for _, ns := range svcs {
		s := serviceByNS(ns)
		sa := serviceAccess{ServiceName: s.name, ServiceNamespace: s.ns}
		used := p.active && a.r.chance(0.6)
		var last time.Time
		if used {
			last = a.r.timeBetween(a.o.now.AddDate(0, 0, -90), a.o.now)
			if last.Before(since) {
				last = since
			}
			sa.LastAuthenticated, sa.LastAuthenticatedEntity, sa.LastAuthenticatedRegion = awsDate(last), p.arn, a.p.region
			sa.TotalAuthenticatedEntities = 1
		}
		if actionTracked(ns) {
			sa.TrackedActionsLastAccessed = []actionAccess{}
			add := func(actions []string, p float64) {
				for _, act := range actions {
					x := actionAccess{ActionName: act}
					if used && a.r.chance(p) {
						t := a.r.timeBetween(last.AddDate(0, 0, -60), last.Add(time.Second))
						x.LastAccessedEntity, x.LastAccessedRegion, x.LastAccessedTime = sa.LastAuthenticatedEntity, a.p.region, awsDate(t)
					}
					sa.TrackedActionsLastAccessed = append(sa.TrackedActionsLastAccessed, x)
				}
			}
			add(s.read, 0.7)
			add(s.write, 0.4)
			add(s.privileged, 0.04)
		}
		out.ServicesLastAccessed = append(out.ServicesLastAccessed, sa)
	}
	return out
}

var credentialHeader = []string{"user", "arn", "user_creation_time", "password_enabled", "password_last_used",
	"password_last_changed", "password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"}

// writeCredentialReport writes the account's credential report: the root
// user, then every IAM user. No field needs CSV quoting.
func (a *account) writeCredentialReport(w *bufio.Writer) int {
	w.WriteString(strings.Join(credentialHeader, ",") + "\n")
	na := "N/A"
	rootUsed := "no_information"
	if a.r.chance(0.3) {
		rootUsed = awsDate(a.r.timeBetween(a.p.joined, a.o.now))
	}
	rootMFA := "true"
	if a.r.chance(0.1) {
		rootMFA = "false"
	}
	w.WriteString(strings.Join([]string{"<root_account>", rootArn(a.p.id), awsDate(a.p.joined), "not_supported", rootUsed,
		"not_supported", "not_supported", rootMFA, "false", na, na, na, na, "false", na, na, na, na, "false", na, "false", na}, ",") + "\n")
	for _, u := range a.users {
		row := []string{u.UserName, u.Arn, u.CreateDate, "false", na, na, na, "false"}
		if u.console {
			changed := a.r.timeBetween(u.created, a.o.now)
			lastUsed := "no_information"
			if u.active {
				lastUsed = awsDate(a.recently(u.created))
			}
			row = []string{u.UserName, u.Arn, u.CreateDate, "true", lastUsed, awsDate(changed), na, boolString(u.mfa)}
		}
		for k := range 2 {
			if k >= u.keys {
				row = append(row, "false", na, na, na, na)
				continue
			}
			rotated := a.r.timeBetween(u.created, a.o.now)
			if u.active || a.r.chance(0.3) {
				used := a.r.timeBetween(rotated, a.o.now)
				row = append(row, "true", awsDate(rotated), awsDate(used), a.p.region, pick(a.r, []string{"s3", "sts", "ec2", "dynamodb", "lambda"}))
			} else {
				row = append(row, boolString(a.r.chance(0.7)), awsDate(rotated), na, na, na)
			}
		}
		row = append(row, "false", na, "false", na)
		w.WriteString(strings.Join(row, ",") + "\n")
	}
	return len(a.users) + 1
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
