// Keyboard shortcuts for the staff pages: Alt+letter goes to the element with that
// accesskey, the same in every browser (Firefox wants Alt+Shift for accesskeys, macOS
// Control+Option, and some browsers never pass accesskeys from synthetic key events).
// Without JavaScript the accesskey attributes still work in the browser's own way.
document.addEventListener("keydown", (event) => {
  if (!event.altKey || event.ctrlKey || event.metaKey || !/^Key[A-Z]$/.test(event.code)) return;
  const key = event.code.slice(3).toLowerCase();
  const target = Array.from(document.querySelectorAll("[accesskey]")).find(
    (element) => element.getAttribute("accesskey").toLowerCase() === key && element.offsetParent !== null
  );
  if (!target) return;
  event.preventDefault();
  if (target.matches("a[href], button, input[type=submit], summary")) {
    target.click();
  } else {
    target.focus();
    if (target.select && target.matches("input[type=search], input[type=text]")) target.select();
  }
});
