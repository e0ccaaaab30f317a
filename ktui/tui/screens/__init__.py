"""One screen per question: overview, namespace, pod, triage, feed, help."""
