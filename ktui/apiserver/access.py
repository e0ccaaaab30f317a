"""Who may do what: a first-match rule list behind both the 403s and the SelfSubject*Reviews.

One source of truth, so a test that forbids pods sees a 403 on the list *and* allowed=false from
a SelfSubjectAccessReview, as with real RBAC. The default allows everything.

Rules are per bearer token (`Callers`): the default token (and a request without one) gets the
server's default rules; `add_token` gives another token its own user name and rules, the way a
limited user's kubeconfig would; an unknown token gets 401 Unauthorized.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ktui.apiserver.resources import READ_VERBS, ResourceType

ALL = ("*",)


@dataclass(frozen=True, slots=True)
class AccessRule:
    verbs: tuple[str, ...] = ALL
    groups: tuple[str, ...] = ALL
    resources: tuple[str, ...] = ALL
    namespaces: tuple[str, ...] = ALL
    """Namespaces the rule applies in; "" is the cluster scope (all-namespace lists)."""
    allow: bool = True

    def matches(self, verb: str, group: str, resource: str, namespace: str) -> bool:
        def hit(values: tuple[str, ...], value: str) -> bool:
            return "*" in values or value in values

        return (hit(self.verbs, verb) and hit(self.groups, group)
                and hit(self.resources, resource) and hit(self.namespaces, namespace))


class Access:
    """Ordered rules, first match wins; no match denies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[AccessRule] = [AccessRule()]

    @property
    def rules(self) -> list[AccessRule]:
        with self._lock:
            return list(self._rules)

    @rules.setter
    def rules(self, rules: list[AccessRule]) -> None:
        with self._lock:
            self._rules = list(rules)

    def reset(self) -> None:
        self.rules = [AccessRule()]

    def forbid(self, resource: str, group: str = "", verbs: tuple[str, ...] = READ_VERBS,
               namespaces: tuple[str, ...] = ALL) -> AccessRule:
        """Deny verbs on a resource from now on (ahead of every existing rule)."""
        rule = AccessRule(tuple(verbs), (group,), (resource,), tuple(namespaces), allow=False)
        with self._lock:
            self._rules.insert(0, rule)
        return rule

    def allows(self, verb: str, group: str, resource: str, namespace: str = "") -> bool:
        with self._lock:
            for rule in self._rules:
                if rule.matches(verb, group, resource, namespace):
                    return rule.allow
        return False

    def access_review(self, body: dict[str, Any]) -> dict[str, Any]:
        """Answer a SelfSubjectAccessReview: the request with status.allowed filled in."""
        spec = body.get("spec") or {}
        attrs = spec.get("resourceAttributes")
        if attrs is None:  # nonResourceAttributes: discovery paths are always readable
            allowed = (spec.get("nonResourceAttributes") or {}).get("verb", "get") == "get"
        else:
            allowed = self.allows(attrs.get("verb", ""), attrs.get("group", ""),
                                  attrs.get("resource", ""), attrs.get("namespace", ""))
        out = dict(body)
        out["status"] = {"allowed": allowed}
        if not allowed:
            out["status"]["reason"] = "forbidden by the ktui test apiserver's access rules"
        return out

    def rules_review(self, body: dict[str, Any], resources: list[ResourceType]) -> dict[str, Any]:
        """Answer a SelfSubjectRulesReview by evaluating the rules for every served resource."""
        namespace = (body.get("spec") or {}).get("namespace", "")
        verbs = ("get", "list", "watch", "create", "update", "patch", "delete")
        rules = []
        for rt in resources:
            ok = [v for v in verbs if v in rt.verbs
                  and self.allows(v, rt.group, rt.name, namespace if rt.namespaced else "")]
            if ok:
                rules.append({"verbs": ok, "apiGroups": [rt.group], "resources": [rt.name]})
        out = dict(body)
        out["status"] = {
            "resourceRules": rules,
            "nonResourceRules": [{"verbs": ["get"],
                                  "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*",
                                                      "/version"]}],
            "incomplete": False,
        }
        return out


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent a request: the user name words the 403 messages, the rules decide them."""

    user: str
    access: Access


class Callers:
    """Bearer token -> Caller. The default caller answers the default token and no token."""

    def __init__(self, default: Caller, default_token: str) -> None:
        self.default = default
        self._lock = threading.Lock()
        self._tokens: dict[str, Caller] = {default_token: default}

    def add(self, token: str, user: str, rules: list[AccessRule] | None = None) -> Access:
        access = Access()
        if rules is not None:
            access.rules = rules
        with self._lock:
            self._tokens[token] = Caller(user, access)
        return access

    def find(self, authorization: str | None) -> Caller | None:
        """The caller of an Authorization header; None for an unknown token (401)."""
        if not authorization:
            return self.default
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        with self._lock:
            return self._tokens.get(token.strip())
