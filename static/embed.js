/* Activity Finder embed script: turns each <div data-activity-finder data-src="..."> into an
   iframe of the finder and resizes it when the finder reports its height. It listens only to
   {type: "activity-finder:height", height} messages from that iframe's own window and origin,
   sends nothing to the frame, sets no cookies and loads nothing else. Plain JS, no dependencies. */
(function () {
  'use strict';
  var TYPE = 'activity-finder:height';
  var MAX_HEIGHT = 20000;
  var frames = [];

  function setup(div) {
    if (div.getAttribute('data-activity-finder-ready') === '1') return;
    var src = div.getAttribute('data-src');
    if (!src) return;
    var url;
    try { url = new URL(src, document.baseURI); } catch (e) { return; }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return;
    url.searchParams.set('embed', '1');
    var frame = document.createElement('iframe');
    frame.src = url.href;
    frame.title = div.getAttribute('data-title') || 'Activity Finder';
    frame.style.display = 'block';
    frame.style.width = '100%';
    frame.style.border = '0';
    frame.style.height = '600px';
    div.setAttribute('data-activity-finder-ready', '1');
    div.appendChild(frame);
    frames.push({ frame: frame, origin: url.origin });
  }

  window.addEventListener('message', function (e) {
    var d = e.data;
    if (!d || typeof d !== 'object' || d.type !== TYPE) return;
    var h = Number(d.height);
    if (!isFinite(h) || h < 0) return;
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      if (e.source === f.frame.contentWindow && e.origin === f.origin) {
        f.frame.style.height = Math.min(Math.ceil(h), MAX_HEIGHT) + 'px';
      }
    }
  });

  function scan() {
    var divs = document.querySelectorAll('div[data-activity-finder]');
    for (var i = 0; i < divs.length; i++) setup(divs[i]);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', scan);
  } else {
    scan();
  }
})();
