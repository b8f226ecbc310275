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

// A searchable province → city picker instead of a Ctrl-click list (select[multiple][data-picker]): a search box, one
// folding box per province (the whole province first, then its cities), the choice listed above. The ticks are kept in
// the original <select>, which is sent as before; without script the list itself stays.
(function () {
  document.querySelectorAll('select[multiple][data-picker]').forEach(function (select) {
    var picker = document.createElement('div');
    var search = document.createElement('input');
    var chosen = document.createElement('div');
    var list = document.createElement('div');
    picker.className = 'picker';
    search.type = 'search';
    search.placeholder = select.getAttribute('data-search') || '';
    chosen.className = 'picker-chosen';
    list.className = 'picker-list';
    function show() {
      var names = Array.prototype.map.call(select.selectedOptions, function (o) { return o.textContent; });
      chosen.textContent = names.length ? names.join('、') : (select.getAttribute('data-none') || '');
    }
    select.querySelectorAll('optgroup').forEach(function (group) {
      var box = document.createElement('details');
      var title = document.createElement('summary');
      box.className = 'picker-group';
      title.textContent = group.label;
      box.appendChild(title);
      group.querySelectorAll('option').forEach(function (option) {
        var label = document.createElement('label');
        var tick = document.createElement('input');
        tick.type = 'checkbox';
        tick.value = option.value;
        tick.checked = option.selected;
        tick.addEventListener('change', function () { option.selected = tick.checked; show(); });
        label.appendChild(tick);
        label.appendChild(document.createTextNode(' ' + option.textContent));
        label.setAttribute('data-text', (group.label + ' ' + option.textContent).toLowerCase());
        box.appendChild(label);
        if (option.selected) { box.open = true; }
      });
      list.appendChild(box);
    });
    search.addEventListener('input', function () {
      var query = search.value.trim().toLowerCase();
      list.querySelectorAll('.picker-group').forEach(function (box) {
        var any = false;
        box.querySelectorAll('label').forEach(function (label) {
          var hit = !query || label.getAttribute('data-text').indexOf(query) >= 0;
          label.hidden = !hit;
          any = any || hit;
        });
        box.hidden = !any;
        box.open = Boolean(query) && any;
      });
    });
    select.hidden = true;
    select.parentNode.insertBefore(picker, select);
    picker.appendChild(search);
    picker.appendChild(chosen);
    picker.appendChild(list);
    show();
  });
})();
