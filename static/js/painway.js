// Start the NHS.UK frontend components (the module is built from the npm package into vendor/).
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();
