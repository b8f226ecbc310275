// Parts of a form shown only when they apply: an element with data-show-when="name=value" is shown while the
// form's field `name` has that value (a select, or the checked radio). Without script, everything stays visible.
(function () {
  function valueOf(form, name) {
    var field = form.querySelector('[name="' + name + '"]:checked') || form.querySelector('select[name="' + name + '"]');
    return field ? field.value : null;
  }
  function update(form) {
    form.querySelectorAll('[data-show-when]').forEach(function (part) {
      var rule = part.getAttribute('data-show-when').split('=');
      var shown = valueOf(form, rule[0]) === rule[1];
      part.hidden = !shown;
      part.querySelectorAll('input, select, textarea').forEach(function (input) { input.disabled = !shown; });
    });
  }
  document.querySelectorAll('form').forEach(function (form) {
    if (!form.querySelector('[data-show-when]')) { return; }
    form.addEventListener('change', function () { update(form); });
    update(form);
  });
})();

// An irreversible action asks first: a form with data-confirm="…" is sent only once the user confirms. (Inline
// handlers would be blocked by the Content-Security-Policy, which allows only the app's own script files.)
document.addEventListener('submit', function (event) {
  var message = event.target.getAttribute && event.target.getAttribute('data-confirm');
  if (message && !window.confirm(message)) { event.preventDefault(); }
});

// The menu's groups: one open at a time, closed by a click elsewhere or Escape.
(function () {
  var groups = document.querySelectorAll('details.menu-group');
  groups.forEach(function (group) {
    group.addEventListener('toggle', function () {
      if (!group.open) { return; }
      groups.forEach(function (other) { if (other !== group) { other.open = false; } });
    });
  });
  document.addEventListener('click', function (event) {
    groups.forEach(function (group) { if (!group.contains(event.target)) { group.open = false; } });
  });
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') { groups.forEach(function (group) { group.open = false; }); }
  });
})();
