"""What the tests of a select with a search beside it (crm/forms.select_search) read in a page."""

from __future__ import annotations


def enter_button(page: str) -> str:
    """The submit button a browser presses for Enter in a field of the page's form (its first),
    up to its label: the form's own action, not "Find"."""
    form = page[page.index('<form method="post" class="form-grid') :]
    return form[form.index('<button type="submit"') :].split("</button>", 1)[0]
