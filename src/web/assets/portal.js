// Progressive enhancement for the search box: suggestions from
// /api/v1/suggest as an ARIA 1.2 combobox (list autocomplete). Without this
// file the form works as a plain GET form. No inline script, no third parties.
(function () {
  'use strict'
  var input = document.querySelector('input[data-suggest]')
  if (!input || !window.fetch || !window.URLSearchParams) return
  var endpoint = input.getAttribute('data-suggest')
  var form = input.form
  var box = input.parentNode
  var listId = input.id + '-vorschlaege'
  var list = document.createElement('ul')
  var live = document.createElement('div')
  var items = []
  var active = -1
  var timer = 0
  var controller = null
  var lastQuery = ''

  list.id = listId
  list.className = 'suggestions'
  list.setAttribute('role', 'listbox')
  list.setAttribute('aria-label', 'Vorschläge')
  list.hidden = true
  live.className = 'visually-hidden'
  live.setAttribute('role', 'status')
  box.appendChild(list)
  box.appendChild(live)

  input.setAttribute('role', 'combobox')
  input.setAttribute('aria-autocomplete', 'list')
  input.setAttribute('aria-expanded', 'false')
  input.setAttribute('aria-controls', listId)
  var hint = document.getElementById('q-hint')
  if (hint) hint.appendChild(document.createTextNode(' Vorschläge mit Pfeiltasten auswählen.'))

  function open () {
    list.hidden = false
    input.setAttribute('aria-expanded', 'true')
  }
  function close () {
    list.hidden = true
    input.setAttribute('aria-expanded', 'false')
    input.removeAttribute('aria-activedescendant')
    active = -1
  }
  function highlight (index) {
    var options = list.children
    for (var i = 0; i < options.length; i++) options[i].setAttribute('aria-selected', i === index ? 'true' : 'false')
    active = index
    if (index < 0) {
      input.removeAttribute('aria-activedescendant')
      return
    }
    input.setAttribute('aria-activedescendant', options[index].id)
    if (options[index].scrollIntoView) options[index].scrollIntoView({ block: 'nearest' })
  }
  function choose (index) {
    var item = items[index]
    if (!item) return
    input.value = item.text
    close()
    // A suggestion that names a service opens its page, not a result list.
    if (item.serviceId) {
      var plz = form.querySelector('input[name="plz"]')
      window.location.href = '/leistungen/' + encodeURIComponent(item.serviceId) + (plz && plz.value ? '?plz=' + encodeURIComponent(plz.value) : '')
      return
    }
    form.submit()
  }
  function render (suggestions) {
    items = suggestions
    while (list.firstChild) list.removeChild(list.firstChild)
    suggestions.forEach(function (s, i) {
      var li = document.createElement('li')
      li.id = listId + '-' + i
      li.setAttribute('role', 'option')
      li.setAttribute('aria-selected', 'false')
      li.textContent = s.text // text only: suggestions come from member data
      li.addEventListener('mousedown', function (event) { event.preventDefault() })
      li.addEventListener('click', function () { choose(i) })
      list.appendChild(li)
    })
    active = -1
    input.removeAttribute('aria-activedescendant')
    if (suggestions.length > 0) open()
    else close()
    live.textContent = suggestions.length === 0 ? '' : suggestions.length + (suggestions.length === 1 ? ' Vorschlag verfügbar.' : ' Vorschläge verfügbar.')
  }
  function load () {
    var q = input.value.trim()
    if (q === lastQuery) return
    lastQuery = q
    if (controller) controller.abort()
    if (q.length < 2) {
      render([])
      return
    }
    controller = window.AbortController ? new AbortController() : null
    fetch(endpoint + '?' + new URLSearchParams({ q: q }), {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
      signal: controller ? controller.signal : undefined
    })
      .then(function (res) { return res.ok ? res.json() : { suggestions: [] } })
      .then(function (body) {
        if (input.value.trim() !== q || document.activeElement !== input) return
        render(Array.isArray(body.suggestions) ? body.suggestions.slice(0, 10) : [])
      })
      .catch(function () { /* offline or aborted: the plain form still works */ })
  }

  input.addEventListener('input', function () {
    clearTimeout(timer)
    timer = setTimeout(load, 150)
  })
  input.addEventListener('keydown', function (event) {
    var count = items.length
    if (event.key === 'ArrowDown') {
      if (list.hidden) {
        if (count > 0) open()
        else return
      }
      event.preventDefault()
      highlight(active + 1 >= count ? 0 : active + 1)
    } else if (event.key === 'ArrowUp') {
      if (list.hidden || count === 0) return
      event.preventDefault()
      highlight(active <= 0 ? count - 1 : active - 1)
    } else if (event.key === 'Enter') {
      if (!list.hidden && active >= 0) {
        event.preventDefault()
        choose(active)
      }
    } else if (event.key === 'Escape') {
      if (!list.hidden) {
        event.preventDefault()
        close()
      } else if (input.value !== '') {
        event.preventDefault()
        input.value = ''
        lastQuery = ''
      }
    } else if (event.key === 'Tab') {
      close()
    }
  })
  input.addEventListener('blur', function () { close() })
})()

// "War diese Seite hilfreich?": posted in the background, thanked in place.
// Without this script the form posts and the page comes back with the thanks.
;(function () {
  'use strict'
  var form = document.querySelector('form[action="/feedback"]')
  if (!form || !window.fetch || !window.URLSearchParams) return
  form.addEventListener('submit', function (event) {
    var button = event.submitter
    if (!button || !button.name) return
    event.preventDefault()
    var data = new URLSearchParams()
    var fields = form.querySelectorAll('input[type="hidden"]')
    for (var i = 0; i < fields.length; i++) data.append(fields[i].name, fields[i].value)
    data.append(button.name, button.value)
    fetch(form.action, { method: 'POST', body: data, credentials: 'same-origin', redirect: 'manual' })
      .then(function (res) {
        if (res.type !== 'opaqueredirect' && !res.ok) throw new Error('feedback ' + res.status)
        var thanks = document.createElement('p')
        thanks.className = 'feedback-thanks'
        thanks.setAttribute('role', 'status')
        thanks.setAttribute('tabindex', '-1')
        thanks.textContent = 'Danke für Ihre Rückmeldung!'
        form.parentNode.replaceChild(thanks, form)
        thanks.focus()
      })
      .catch(function () {
        // refused (too many) or offline: the plain post shows the portal's own answer
        var hidden = document.createElement('input')
        hidden.type = 'hidden'
        hidden.name = button.name
        hidden.value = button.value
        form.appendChild(hidden)
        form.submit()
      })
  })
})()
