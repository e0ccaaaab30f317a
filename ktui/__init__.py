"""ktui: the traffic posture of a Kubernetes cluster, live, in a terminal."""
