// `weft audit serve`: the command lives with its server under ../serve/.
export { auditServe } from "../serve/command.js";
