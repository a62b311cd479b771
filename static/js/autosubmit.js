// Coming back from Stripe is a GET, which must not change anything; the confirmation is a POST.
// This sends that form at once; without JavaScript the shopper presses its button.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
  form.submit();
});
