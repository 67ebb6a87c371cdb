package policy

import "github.com/permgraph/permgraph/analysis/catalog"

// rcpSupported reports whether RCPs apply to a service, from the catalog's
// list of RCP-supported services.
func rcpSupported(service string) bool {
	return catalog.Embedded().RCPSupported(service)
}
