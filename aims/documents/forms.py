"""The controlled document form: the register fields and the document's file."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aims.core.forms import RegisterForm
from aims.documents.models import ControlledDocument
from aims.documents.services import document_file_store
from controls.evidence_files import check_upload


class ControlledDocumentForm(RegisterForm):
    upload = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "Kept as evidence with its SHA-256. A new file replaces this draft's file; approved "
            "versions keep theirs."
        ),
    )

    class Meta:
        model = ControlledDocument
        fields = [
            "reference",
            "title",
            "doc_type",
            "version_label",
            "description",
            "owner",
            "confidentiality",
            "review_months",
            "retention_years",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The reference names the document across its versions.
            self.fields["reference"].disabled = True

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            check_upload(upload)  # its ValidationError shows at the field
        return upload

    def clean(self):
        cleaned = super().clean()
        reference, label = cleaned.get("reference"), cleaned.get("version_label")
        if reference and label:
            clash = ControlledDocument.objects.filter(reference=reference, version_label=label)
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("version_label", _("This document already has this version."))
        return cleaned

    def save(self, commit=True):
        document = super().save(commit=commit)
        if commit and (upload := self.cleaned_data.get("upload")):
            document = document_file_store(document=document, upload=upload, user=self.user)
        return document
