// NHS.UK frontend ships as an ES module: initialise every component on the page.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled");
initAll();
