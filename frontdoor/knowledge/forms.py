"""The staff knowledge search form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from frontdoor.catalogue.models import Service
from frontdoor.knowledge.models import Audience
from frontdoor.knowledge.search import MAX_QUERY


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, strip=True)
    audience = forms.ChoiceField(
        label=_("Audience"),
        required=False,
        choices=[("", _("Answers and scripts")), *Audience.choices],
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        required=False,
        queryset=Service.objects.filter(active=True),
        empty_label=_("Any service"),
    )

    def clean_q(self) -> str:
        # A pasted paragraph is searched by its beginning rather than refused.
        return self.cleaned_data["q"][:MAX_QUERY]
