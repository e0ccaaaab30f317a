"""The Textual app: screens/, widgets/, ktui.tcss; themes are data (themes/*.yaml).

Decisions worth knowing before changing it:
- One path for data (bridge.py): the source threads fill a queue; the app drains it when told
  something arrived (paced, a 100 ms tick as a fallback) on the UI thread (the store's only
  writer), updates the posture index and hands each batch to the screens at once; only the
  visible screen refreshes, hidden ones catch up when shown. Heavy questions run on a worker in
  short pieces with polls held (the store stays still under them); while the app runs, the
  collector's full passes walk only what came since the last (steady_gc.py).
- Exposure (judged per entry by its triage chain) and findings run in a child process on a
  replica of the store (overlay.py): whole-cluster checks take seconds on big clusters and must
  neither block nor share the GIL with the screen.
- The overview is a row-cached virtual table (widgets/rowtable.py): a live change re-renders one
  row. The namespace and pod screens are composed once and retargeted.
- Every cluster string reaches the screen as rich Text built through ktui.render.safe; a plain str
  in a Static, a table cell or the palette would be parsed as markup. The doors that take a
  str (completions, notifications, the clipboard, titles) take SafeText and clean again on the
  way out (safe_ui.py, KtuiApp.notify): a completion is drawn as the user types.
- The change feed is the app's (changes.py): per-namespace snapshots per workload, host and
  finding, compared by analysis.posture_changes on each batch and each background result; the
  object changes of the batches in between are kept as the causes of what the analysis finds.
- Screens read background results through data.py only (hosts per namespace, with TLS; findings
  per namespace and of the cluster), so a change of the bridge's plumbing touches one module.
- Every table is a Listing (widgets/listing.py): `/` filter, `s` sort, and a detail line with the
  selected row's long text in full; esc closes a filter or a prompt before it leaves a screen.
"""
