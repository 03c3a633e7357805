import type { Command } from "commander";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

interface Tree {
  readonly nouns: Record<string, { verbs: string[]; flags: Record<string, string[]> }>;
  readonly globalFlags: string[];
}

/** Reads commands and flags from the program itself, so completion never drifts from the CLI. */
function commandTree(program: Command): Tree {
  const flagsOf = (cmd: Command) =>
    cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
  const nouns: Tree["nouns"] = {};
  for (const noun of program.commands) {
    const verbs = noun.commands.map((v) => v.name());
    const flags: Record<string, string[]> = { "": flagsOf(noun) };
    for (const verb of noun.commands) flags[verb.name()] = flagsOf(verb);
    nouns[noun.name()] = { verbs, flags };
  }
  return { nouns, globalFlags: flagsOf(program) };
}

export function completionScript(shell: Shell, program: Command): string {
  const tree = commandTree(program);
  return shell === "fish" ? fish(tree) : shell === "bash" ? bash(tree) : zsh(tree);
}

function bash(tree: Tree): string {
  const cases = Object.entries(tree.nouns)
    .map(([noun, { verbs, flags }]) => {
      const verbCases = Object.entries(flags)
        .filter(([verb]) => verb !== "")
        .map(([verb, list]) => `        ${verb}) flags="${[...list, ...tree.globalFlags].join(" ")}" ;;`)
        .join("\n");
      return `    ${noun})\n      verbs="${verbs.join(" ")}"\n      case "$verb" in\n${verbCases}\n      esac ;;`;
    })
    .join("\n");
  return `# kubesnap bash completion: source <(kubesnap completion bash)
_kubesnap() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" noun="\${COMP_WORDS[1]}" verb="\${COMP_WORDS[2]}" verbs="" flags=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${Object.keys(tree.nouns).join(" ")}" -- "$cur")); return
  fi
  case "$noun" in
${cases}
  esac
  if [ "$COMP_CWORD" -eq 2 ]; then COMPREPLY=($(compgen -W "$verbs" -- "$cur")); return; fi
  case "$cur" in -*) COMPREPLY=($(compgen -W "$flags" -- "$cur")) ;; esac
}
complete -F _kubesnap kubesnap
`;
}

function zsh(tree: Tree): string {
  // zsh runs the bash function through bashcompinit: one script to keep right, not two.
  return `# kubesnap zsh completion: source <(kubesnap completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(tree)}`;
}

function fish(tree: Tree): string {
  const lines = ["# kubesnap fish completion: kubesnap completion fish | source", "complete -c kubesnap -f"];
  lines.push(`complete -c kubesnap -n "__fish_use_subcommand" -a "${Object.keys(tree.nouns).join(" ")}"`);
  for (const [noun, { verbs, flags }] of Object.entries(tree.nouns)) {
    if (verbs.length > 0) {
      lines.push(
        `complete -c kubesnap -n "__fish_seen_subcommand_from ${noun}; and not __fish_seen_subcommand_from ${verbs.join(" ")}" -a "${verbs.join(" ")}"`,
      );
    }
    for (const [verb, list] of Object.entries(flags)) {
      const when = verb
        ? `__fish_seen_subcommand_from ${noun}; and __fish_seen_subcommand_from ${verb}`
        : `__fish_seen_subcommand_from ${noun}`;
      for (const flag of list.filter((f) => f.startsWith("--"))) {
        lines.push(`complete -c kubesnap -n "${when}" -l ${flag.slice(2)}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
