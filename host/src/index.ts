export { EquinoxCommand, type CommandArgs, type CommandFlags } from "./cli/equinox-command.js";
