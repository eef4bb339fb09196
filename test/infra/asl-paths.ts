/**
 * A static check of a JSONPath state machine's payload paths: every `$.a.b` a state reads (Parameters, ItemSelector,
 * ResultSelector, InputPath, ItemsPath, OutputPath, Choice variables, Wait and Fail paths, intrinsic arguments) must
 * exist in that state's input on every way into it, wherever that is statically knowable.
 *
 * What is knowable: the fields a Pass Result, a Parameters/ItemSelector/ResultSelector object or a Catch (`Error`,
 * `Cause`) writes, where ResultPath puts them and what OutputPath keeps. What is not: the execution input and a Lambda's
 * Payload, which stay "open" (any field may be there). The state inputs are a fixed point over every transition
 * (Next, Choices, Default, Catch), merged by keeping only the fields present on every incoming edge; the Step Functions
 * semantics followed are AWS's: InputPath → Parameters → task → ResultSelector → ResultPath (into the RAW input) →
 * OutputPath.
 */

/** What is known about a JSON value: its fields when it is an object, whether other fields may be there. */
interface Shape {
  fields: Map<string, Shape>;
  /** Unknown fields may exist (execution input, a Lambda's payload, an array). */
  open: boolean;
  /** A known non-object (string, number…): nothing can be read inside it. */
  scalar?: true;
}

const OPEN: Shape = { fields: new Map(), open: true };
const SCALAR: Shape = { fields: new Map(), open: false, scalar: true };
const closed = (fields: Record<string, Shape>): Shape => ({ fields: new Map(Object.entries(fields)), open: false });

/** What each integration returns, before ResultSelector: the fields AWS documents for it. */
function taskResult(resource: unknown): Shape {
  if (resource === 'arn:aws:states:::lambda:invoke') {
    return closed({
      Payload: OPEN,
      StatusCode: SCALAR,
      ExecutedVersion: SCALAR,
      SdkHttpMetadata: OPEN,
      SdkResponseMetadata: OPEN,
    });
  }
  if (resource === 'arn:aws:states:::events:putEvents') return closed({ Entries: OPEN, FailedEntryCount: SCALAR });
  return OPEN;
}

const ERROR_OUTPUT = closed({ Error: SCALAR, Cause: SCALAR });

/** `$`, `$.a.b`, `$.a[0]`, `$['a']` → segments; undefined when the path uses anything else (filters, wildcards). */
function segments(path: string): (string | number)[] | undefined {
  if (!path.startsWith('$') || path.startsWith('$$')) return undefined;
  const out: (string | number)[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\['([^']+)'\]/gy;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (m === null) return undefined;
    out.push(m[2] !== undefined ? Number(m[2]) : ((m[1] ?? m[3]) as string));
  }
  return out;
}

type Lookup = { found: true; shape: Shape } | { found: false; missing: string };

function lookup(shape: Shape, path: string): Lookup {
  const segs = segments(path);
  if (segs === undefined) return { found: true, shape: OPEN };
  let current = shape;
  let walked = '$';
  for (const seg of segs) {
    if (typeof seg === 'number') {
      // Arrays are never modelled: anything inside one is unknown.
      if (current.scalar) return { found: false, missing: `${walked}[${seg}]` };
      current = OPEN;
      walked += `[${seg}]`;
      continue;
    }
    walked += `.${seg}`;
    const next = current.fields.get(seg);
    if (next !== undefined) current = next;
    else if (current.open && !current.scalar) current = OPEN;
    else return { found: false, missing: walked };
  }
  return { found: true, shape: current };
}

function put(shape: Shape, path: string, value: Shape): Shape {
  const segs = segments(path);
  if (segs === undefined || segs.some((s) => typeof s === 'number')) return OPEN;
  const write = (node: Shape, rest: string[]): Shape => {
    const [head, ...tail] = rest;
    if (head === undefined) return value;
    const base = node.scalar ? closed({}) : node;
    const child = base.fields.get(head) ?? (base.open ? OPEN : closed({}));
    const fields = new Map(base.fields);
    fields.set(head, write(child, tail));
    return { fields, open: base.open };
  };
  return write(shape, segs as string[]);
}

/** Fields present on both sides; a field one side may not have is dropped, unless that side is open (unknown). */
function merge(a: Shape, b: Shape): Shape {
  if (a.scalar && b.scalar) return SCALAR;
  if (a.scalar || b.scalar) return OPEN;
  const fields = new Map<string, Shape>();
  for (const [key, left] of a.fields) {
    const right = b.fields.get(key);
    if (right !== undefined) fields.set(key, merge(left, right));
    else if (b.open) fields.set(key, left);
  }
  for (const [key, right] of b.fields) if (!a.fields.has(key) && a.open) fields.set(key, right);
  return { fields, open: a.open || b.open };
}

function same(a: Shape, b: Shape): boolean {
  if (a.open !== b.open || a.scalar !== b.scalar || a.fields.size !== b.fields.size) return false;
  for (const [key, left] of a.fields) {
    const right = b.fields.get(key);
    if (right === undefined || !same(left, right)) return false;
  }
  return true;
}

/** `$.x` references inside an intrinsic call, quoted strings and `$$` context paths left out. */
function intrinsicPaths(expression: string): string[] {
  const unquoted = expression.replace(/'(?:[^'\\]|\\.)*'/g, "''");
  return [...unquoted.matchAll(/(?<![$\w])\$(?![$\w])(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\])*/g)].map((m) => m[0]);
}

type Report = (state: string, field: string, path: string, missing: string) => void;

/**
 * A Parameters-like template evaluated against `input`: the shape it produces, every path it reads checked.
 * `context` gives the shape of `$$.…` paths that matter (the Map item).
 */
function evaluate(template: unknown, input: Shape, check: (field: string, path: string) => Shape): Shape {
  if (template === null || typeof template !== 'object') return SCALAR;
  if (Array.isArray(template)) {
    template.forEach((item) => {
      evaluate(item, input, check);
    });
    return OPEN;
  }
  const fields: Record<string, Shape> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && typeof value === 'string') {
      const name = key.slice(0, -2);
      if (value.startsWith('$$')) fields[name] = OPEN;
      else if (value.startsWith('$')) fields[name] = check(key, value);
      else {
        for (const path of intrinsicPaths(value)) check(key, path);
        fields[name] = OPEN;
      }
    } else {
      fields[key] = evaluate(value, input, (field, path) => check(`${key}.${field}`, path));
    }
  }
  return closed(fields);
}

type State = Record<string, unknown> & { Type: string };
interface Machine {
  StartAt: string;
  States: Record<string, State>;
}

function choicePaths(rule: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  if (typeof rule.Variable === 'string') out.push(['Variable', rule.Variable]);
  for (const [key, value] of Object.entries(rule)) {
    if (key.endsWith('Path') && typeof value === 'string') out.push([key, value]);
  }
  for (const nested of [...((rule.And ?? []) as never[]), ...((rule.Or ?? []) as never[]), rule.Not]) {
    if (nested) out.push(...choicePaths(nested as Record<string, unknown>));
  }
  return out;
}

/** Analyses one machine (or Map processor / Parallel branch) from `start`; reports missing paths with the state path. */
function analyse(machine: Machine, start: Shape, report: Report, prefix: string): void {
  const inputs = new Map<string, Shape>();
  const pending: string[] = [];
  const arrive = (name: string, shape: Shape) => {
    const before = inputs.get(name);
    const after = before === undefined ? shape : merge(before, shape);
    if (before === undefined || !same(before, after)) {
      inputs.set(name, after);
      pending.push(name);
    }
  };

  /** One state: its successors' inputs; with `report`, every path it reads that is missing. */
  const step = (name: string, raw: Shape, rep: Report | undefined): [string, Shape][] => {
    const state = machine.States[name];
    if (state === undefined) return [];
    const here = `${prefix}${name}`;
    const read = (shape: Shape, field: string, path: string): Shape => {
      const found = lookup(shape, path);
      if (!found.found) {
        rep?.(here, field, path, found.missing);
        return OPEN;
      }
      return found.shape;
    };
    const inputPath = state.InputPath;
    const effective =
      inputPath === null ? closed({}) : typeof inputPath === 'string' ? read(raw, 'InputPath', inputPath) : raw;
    const check = (shape: Shape) => (field: string, path: string) => read(shape, field, path);
    let result: Shape = effective;
    const out: [string, Shape][] = [];

    switch (state.Type) {
      case 'Task': {
        if (state.Parameters !== undefined) evaluate(state.Parameters, effective, check(effective));
        result = taskResult(state.Resource);
        break;
      }
      case 'Pass':
        if (state.Result !== undefined) result = evaluate(state.Result, effective, () => OPEN);
        else if (state.Parameters !== undefined) result = evaluate(state.Parameters, effective, check(effective));
        break;
      case 'Map': {
        if (typeof state.ItemsPath === 'string') read(effective, 'ItemsPath', state.ItemsPath);
        const selector = state.ItemSelector ?? state.Parameters;
        const item = selector === undefined ? OPEN : evaluate(selector, effective, check(effective));
        const processor = (state.ItemProcessor ?? state.Iterator) as Machine | undefined;
        if (processor && rep) analyse(processor, item, rep, `${here}/`);
        result = OPEN;
        break;
      }
      case 'Parallel': {
        const branchInput =
          state.Parameters === undefined ? effective : evaluate(state.Parameters, effective, check(effective));
        if (rep) {
          for (const [i, branch] of ((state.Branches ?? []) as Machine[]).entries()) {
            analyse(branch, branchInput, rep, `${here}/${i}/`);
          }
        }
        result = OPEN;
        break;
      }
      case 'Choice':
        for (const rule of (state.Choices ?? []) as Record<string, unknown>[]) {
          for (const [field, path] of choicePaths(rule)) read(effective, field, path);
          if (typeof rule.Next === 'string') out.push([rule.Next, effective]);
        }
        if (typeof state.Default === 'string') out.push([state.Default, effective]);
        break;
      case 'Wait':
        for (const field of ['SecondsPath', 'TimestampPath']) {
          if (typeof state[field] === 'string') read(effective, field, state[field] as string);
        }
        break;
      case 'Fail':
        for (const field of ['ErrorPath', 'CausePath']) {
          if (typeof state[field] === 'string') read(effective, field, state[field] as string);
        }
        return out;
      default:
        break;
    }
    if (state.Type === 'Choice') return applyOutputPath(state, out, read);
    if (state.ResultSelector !== undefined) result = evaluate(state.ResultSelector, result, check(result));
    const resultPath = state.Type === 'Wait' || state.Type === 'Succeed' ? null : state.ResultPath;
    const combined =
      state.Type === 'Wait' || state.Type === 'Succeed'
        ? effective
        : resultPath === null
          ? raw
          : typeof resultPath === 'string'
            ? put(raw, resultPath, result)
            : result;
    const output = typeof state.OutputPath === 'string' ? read(combined, 'OutputPath', state.OutputPath) : combined;
    if (typeof state.Next === 'string') out.push([state.Next, output]);
    for (const catcher of (state.Catch ?? []) as { Next?: string; ResultPath?: string | null }[]) {
      if (typeof catcher.Next !== 'string') continue;
      const path = catcher.ResultPath;
      out.push([
        catcher.Next,
        path === null ? raw : typeof path === 'string' ? put(raw, path, ERROR_OUTPUT) : ERROR_OUTPUT,
      ]);
    }
    return out;
  };

  arrive(machine.StartAt, start);
  for (let rounds = 0; pending.length > 0; rounds++) {
    if (rounds > 10_000) throw new Error(`${prefix || 'machine'}: state inputs did not settle`);
    const name = pending.shift() as string;
    for (const [next, shape] of step(name, inputs.get(name) as Shape, undefined)) arrive(next, shape);
  }
  for (const [name, input] of inputs) step(name, input, report);
}

function applyOutputPath(
  state: State,
  out: [string, Shape][],
  read: (shape: Shape, field: string, path: string) => Shape,
): [string, Shape][] {
  if (typeof state.OutputPath !== 'string') return out;
  const path = state.OutputPath;
  return out.map(([next, shape]) => [next, read(shape, 'OutputPath', path)]);
}

/**
 * Every path a state reads that does not exist in its input on some way into it, as
 * `<state>: <field> reads <path>, but <missing> is not there`. Inner states are named `<Map or Parallel>/<state>`.
 */
export function missingPayloadPaths(definition: unknown): string[] {
  const problems: string[] = [];
  analyse(
    definition as Machine,
    OPEN,
    (state, field, path, missing) => {
      problems.push(`${state}: ${field} reads ${path}, but ${missing} is not there`);
    },
    '',
  );
  return [...new Set(problems)].sort();
}
