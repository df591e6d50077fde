"""The explorer: a live ipywidgets layout over a pure view function, with a static view of its starting state.

JupyterLab shows an output's richest representation it can render: with a kernel, the live widget; where the
output has no widget view (the committed lessons, whose views are stripped, and the course site), the
``text/html`` static view this class adds to its bundle. A notebook a student runs and saves keeps the widget
view; the course's JupyterLab settings (``tools/jupyterlab_overrides.json``) save the widget state with it, so on
reopening the explorer shows its last state rather than "model not found"; running the cell makes it live again.
"""
from __future__ import annotations

import base64
import html
import io

import ipywidgets as w
from matplotlib.figure import Figure

from .results import NO_MATH, html_text

__all__ = ["Explorer", "FIGSIZE", "DPI"]

FIGSIZE = (7, 3.6)
MARGINS = dict(left=0.11, right=0.97, top=0.9, bottom=0.15)
DPI = 90


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


class Explorer(w.VBox):
    """A live explorer (controls, a text line and a figure) with a static view of its starting state.

    Parameters
    ----------
    view : callable(ax=..., **values) -> (text, ax)
        Draws one setting of the controls and describes it.
    controls : dict from the view's argument name to an ipywidgets control
    title : str
        What the explorer shows, for the text form.
    margins : dict, optional
        The figure's margins (``subplots_adjust`` keywords), for a view whose labels need more room.

    Examples
    --------
    >>> explorer = Explorer(lambda ax, rate: (f"rate {rate:.0%}", ax.plot([0, 1], [0, rate])),
    ...                     {"rate": w.FloatSlider(0.1, min=0, max=1)}, title="demo")
    >>> explorer.controls["rate"].value = 0.25
    >>> explorer.label.value
    '<b>rate 25%</b>'
    """

    def __init__(self, view, controls: dict, *, title: str, margins: dict | None = None):
        self._view, self._title = view, title
        # one figure for the explorer's life, outside pyplot (so the notebook never shows it twice), with
        # fixed margins: redrawing it is about half the time of a new figure with a constrained layout
        self._figure = Figure(figsize=FIGSIZE)
        self._figure.subplots_adjust(**{**MARGINS, **(margins or {})})
        self._ax = self._figure.add_subplot()
        self.label = w.HTML()
        # shown at its natural size, as the static view is: stretched, it would look blurred
        self.image = w.Image(format="png", layout=w.Layout(width=f"{round(FIGSIZE[0] * DPI)}px"))
        self.controls = controls
        for control in controls.values():
            control.observe(lambda _change: self.refresh(), names="value")
        super().__init__([w.VBox(list(controls.values())), self.label, self.image])
        self.refresh()

    def values(self) -> dict:
        """The controls' current values, by argument name.

        Returns
        -------
        dict
        """
        return {name: control.value for name, control in self.controls.items()}

    def render(self) -> tuple[str, bytes]:
        """Text and figure (PNG bytes) of the current setting.

        Returns
        -------
        (str, bytes)

        Raises
        ------
        InputError
            When the view refuses the setting.
        """
        self._ax.clear()
        text, _ = self._view(ax=self._ax, **self.values())
        return text, _png(self._figure)

    def refresh(self) -> None:
        """Recompute the text and figure for the controls' current values.

        Returns
        -------
        None

        Raises
        ------
        InputError
            When the view refuses the setting.
        """
        text, png = self.render()
        self.label.value = f"<b>{html_text(text)}</b>"
        self.image.value = png

    def static_html(self) -> str:
        """The current state as HTML: the text, the figure as an embedded PNG, and how to make it live.

        Returns
        -------
        str, inside an element of class ``NO_MATH`` so that no dollar amount is typeset as math.
        """
        png = base64.b64encode(self.image.value).decode()
        text = self.label.value
        return (f"<div class='{NO_MATH}'><p>{text}</p><img src='data:image/png;base64,{png}' "
                f"alt='{html.escape(self._title)}'><p><em>A static view of the starting state: run the cell to move "
                f"the controls.</em></p></div>")

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = self.static_html()
        bundle["text/plain"] = f"{self._title} (run the cell to use the controls)"
        return bundle
