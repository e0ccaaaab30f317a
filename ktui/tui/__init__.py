"""The Textual app: screens/, widgets/, ktui.tcss; data comes only through bridge.Bridge."""
