package synth

import "fmt"

// bedrockTrust is the trust policy of a Bedrock agent's service role, as the
// console creates it; tool agents are also a Lambda function's role.
func (a *account) bedrockTrust(withLambda bool) doc {
	s := stmt{Effect: "Allow", Principal: servicePrincipal("bedrock.amazonaws.com"), Action: list{"sts:AssumeRole"},
		Condition: cond{cnd("StringEquals", "aws:SourceAccount", a.p.id),
			cnd("ArnLike", "aws:SourceArn", fmt.Sprintf("arn:aws:bedrock:%s:%s:agent/*", a.p.region, a.p.id))}}
	d := newDoc(s)
	if withLambda {
		d.Statement = append(d.Statement, stmt{Effect: "Allow", Principal: servicePrincipal("lambda.amazonaws.com"), Action: list{"sts:AssumeRole"}})
	}
	return d
}

// agents creates n AI agent roles: Bedrock agents (some of them also the
// role of a Lambda "tool" other agents invoke), AgentCore runtimes, and
// agents hosted on Lambda or ECS that only their name and tags tell apart.
func (a *account) agents(n int) {
	for i := range n {
		kind, team := pick(a.r, agentKinds), pick(a.r, teams)
		suffix := pick(a.r, []string{team, a.r.hex(4), "v2", "prod", team + "-" + a.r.hex(4)})
		tags := []tag{{"team", team}, {"ai-agent", "true"}}
		var x *role
		switch k := a.r.IntN(100); {
		case k < 35 || i == 0:
			x = a.newRole(classAgent, "/service-role/", a.roleName(fmt.Sprintf("%s-agent-%s", kind, suffix)), a.bedrockTrust(false), tags...)
		case k < 60:
			x = a.newRole(classAgent, "/service-role/", a.roleName(fmt.Sprintf("%s-agent-%s-tools", kind, suffix)), a.bedrockTrust(true), tags...)
			a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AWSLambdaBasicExecutionRole")
			a.toolFns = append(a.toolFns, toolFunction{role: x,
				arn: fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s-tool", a.p.region, a.p.id, x.RoleName)})
		case k < 75:
			x = a.newRole(classAgent, "/", a.roleName(fmt.Sprintf("%s-agent-runtime-%s", kind, suffix)), newDoc(stmt{Effect: "Allow",
				Principal: servicePrincipal("bedrock-agentcore.amazonaws.com"), Action: list{"sts:AssumeRole"},
				Condition: cond{cnd("StringEquals", "aws:SourceAccount", a.p.id)}}), tags...)
		default:
			svc := pick(a.r, []string{"lambda.amazonaws.com", "ecs-tasks.amazonaws.com"})
			x = a.newRole(classAgent, "/", a.roleName(fmt.Sprintf("%s-agent-%s", kind, suffix)), serviceTrust(svc),
				append(tags, tag{"framework", pick(a.r, []string{"langgraph", "crewai", "strands", "autogen"})})...)
		}
		a.agentPolicies(x, team)
	}
}

func (a *account) agentPolicies(x *role, team string) {
	if a.r.chance(0.25) {
		a.attachAWS(&x.AttachedManagedPolicies, &x.ident, "AmazonBedrockFullAccess")
	} else {
		putInline(&x.RolePolicyList, &x.ident, "invoke-model", newDoc(
			allow(acts("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"),
				fmt.Sprintf("arn:aws:bedrock:%s::foundation-model/%s", a.p.region, pick(a.r, models))).sid("InvokeFoundationModel"),
			allow(acts("bedrock:Retrieve", "bedrock:RetrieveAndGenerate"), fmt.Sprintf("arn:aws:bedrock:%s:%s:knowledge-base/*", a.p.region, a.p.id))), "bedrock")
	}
	if a.r.chance(0.12) {
		c := a.adminCopy(x.RoleName + "-AdministratorAccess")
		a.attachCM(&x.AttachedManagedPolicies, &x.ident, c)
	} else {
		a.attachCM(&x.AttachedManagedPolicies, &x.ident, a.poolPolicy(team))
	}
	// Agents invoking other agents through their Lambda tools.
	if len(a.toolFns) > 0 && a.r.chance(0.4) {
		var fns []string
		for range a.r.between(1, 2) {
			if f := pick(a.r, a.toolFns); f.role != x && !contains(fns, f.arn) {
				fns = append(fns, f.arn)
			}
		}
		if len(fns) > 0 {
			putInline(&x.RolePolicyList, &x.ident, "invoke-tools", newDoc(allow(acts("lambda:InvokeFunction"), fns...).sid("InvokeAgentTools")), "lambda")
		}
	}
}
