"""The Textual app: screens/, widgets/, ktui.tcss; themes are data (themes/*.yaml).

Decisions worth knowing before changing it:
- One path for data (bridge.py): the source threads fill a queue; the app drains it every 100 ms
  on the UI thread (the store's only writer), updates the posture index, posts one BatchApplied
  per batch; only the visible screen refreshes, hidden ones catch up when shown.
- Exposure (judged per entry by its triage chain) and findings run in a child process on a
  replica of the store (overlay.py): whole-cluster checks take seconds on big clusters and must
  neither block nor share the GIL with the screen.
- The overview is a row-cached virtual table (widgets/rowtable.py): a live change re-renders one
  row. The namespace and pod screens are composed once and retargeted.
- Every cluster string reaches the screen as rich Text built through ktui.render.safe; a plain str
  in a Static, a DataTable cell or the palette would be parsed as markup.
"""
