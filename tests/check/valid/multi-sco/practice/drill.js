/* drill.js -- a practice round; nothing is scored */
document.getElementById("drill").textContent = "Name three hazards you can see.";
scormSet("cmi.core.lesson_status", "completed");
