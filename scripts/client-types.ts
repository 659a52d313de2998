/**
 * The router's types as a self-contained declaration file, for the client package (scripts/build-client.ts): every
 * procedure's kind, input and output written out structurally, so a consumer needs only `@trpc/server`'s types, not
 * this repository nor the server's dependencies (drizzle, zod, the context). A plain declaration emit would keep
 * `import('../server/...')` references instead.
 */
import path from 'node:path';
import ts from 'typescript';

/** Deeper than any input or output of ours; beyond it (or on a cycle) a type is written as `unknown`, with a warning. */
const MAX_DEPTH = 24;
const procedureTypes = { query: 'TRPCQueryProcedure', mutation: 'TRPCMutationProcedure', subscription: 'TRPCSubscriptionProcedure' } as const;

/** Writes types as TypeScript text made only of keywords, literals, object shapes and the standard library's names. */
class StructuralPrinter {
  readonly warnings: string[] = [];
  private readonly stack: ts.Type[] = [];

  constructor(
    private readonly program: ts.Program,
    private readonly checker: ts.TypeChecker,
  ) {}

  print(type: ts.Type, indent: string, where: string): string {
    if (this.stack.includes(type) || this.stack.length >= MAX_DEPTH) return this.unknown(where, this.stack.includes(type) ? 'a recursive type' : 'nested too deep');
    this.stack.push(type);
    try {
      return this.printType(type, indent, where);
    } finally {
      this.stack.pop();
    }
  }

  private unknown(where: string, why: string): string {
    this.warnings.push(`${where}: ${why}, written as unknown`);
    return 'unknown';
  }

  private printType(type: ts.Type, indent: string, where: string): string {
    const f = type.flags;
    const F = ts.TypeFlags;
    if (f & F.EnumLiteral && type.isLiteral()) return typeof type.value === 'string' ? JSON.stringify(type.value) : String(type.value);
    if (f & (F.Any | F.Unknown | F.Never | F.Void | F.Undefined | F.Null | F.String | F.Number | F.Boolean | F.BigInt | F.ESSymbol | F.NonPrimitive)) {
      return this.checker.typeToString(type);
    }
    if (f & (F.StringLiteral | F.NumberLiteral | F.BigIntLiteral | F.BooleanLiteral | F.TemplateLiteral)) return this.checker.typeToString(type);
    if (f & F.UniqueESSymbol) return 'symbol';
    if (f & F.Union) return this.printUnion(type as ts.UnionType, indent, where);
    if (f & F.Intersection) {
      return (type as ts.IntersectionType).types.map((t) => (t.flags & F.Union ? `(${this.print(t, indent, where)})` : this.print(t, indent, where))).join(' & ');
    }
    if (f & F.Object) return this.printObject(type as ts.ObjectType, indent, where);
    return this.unknown(where, `an unresolved type (${this.checker.typeToString(type)})`);
  }

  private printUnion(type: ts.UnionType, indent: string, where: string): string {
    const members = type.types.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral));
    const booleans = type.types.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
    const printed = members.map((t) => this.print(t, indent, where));
    if (booleans.length === 2) printed.push('boolean');
    else printed.push(...booleans.map((t) => this.checker.typeToString(t)));
    return printed.join(' | ');
  }

  private printObject(type: ts.ObjectType, indent: string, where: string): string {
    const checker = this.checker;
    if (checker.isArrayType(type)) {
      const [element] = checker.getTypeArguments(type as ts.TypeReference);
      return `${type.getSymbol()?.name === 'ReadonlyArray' ? 'ReadonlyArray' : 'Array'}<${this.print(element!, indent, where)}>`;
    }
    if (checker.isTupleType(type)) return this.printTuple(type as ts.TypeReference, indent, where);
    const named = this.standardName(type, indent, where);
    if (named) return named;
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) return this.unknown(where, 'a function');
    const inner = `${indent}  `;
    const lines: string[] = [];
    for (const info of checker.getIndexInfosOfType(type)) {
      lines.push(`${inner}${info.isReadonly ? 'readonly ' : ''}[key: ${this.print(info.keyType, inner, where)}]: ${this.print(info.type, inner, where)};`);
    }
    for (const property of checker.getPropertiesOfType(type)) {
      if (property.name.startsWith('__@')) {
        this.warnings.push(`${where}: property ${property.name} has a symbol key, left out`);
        continue;
      }
      const name = /^[A-Za-z_$][\w$]*$/.test(property.name) ? property.name : JSON.stringify(property.name);
      const optional = property.flags & ts.SymbolFlags.Optional ? '?' : '';
      const value = this.print(checker.getTypeOfSymbol(property), inner, `${where}.${property.name}`);
      lines.push(`${docComment(property, checker, inner)}${inner}${isReadonly(property) ? 'readonly ' : ''}${name}${optional}: ${value};`);
    }
    return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n${indent}}`;
  }

  private printTuple(type: ts.TypeReference, indent: string, where: string): string {
    const target = type.target as ts.TupleType;
    const elements = this.checker.getTypeArguments(type).map((element, i) => {
      const flag = target.elementFlags[i]!;
      const printed = this.print(element, indent, where);
      if (flag & ts.ElementFlags.Rest) return `...Array<${printed}>`;
      if (flag & ts.ElementFlags.Variadic) return `...${printed}`;
      return flag & ts.ElementFlags.Optional ? `(${printed})?` : printed;
    });
    return `${target.readonly ? 'readonly ' : ''}[${elements.join(', ')}]`;
  }

  /** A type of the standard library (Date, Uint8Array, File, Record<…>, AsyncIterable<…>) by its own name. */
  private standardName(type: ts.ObjectType, indent: string, where: string): string | null {
    const alias = type.aliasSymbol;
    if (alias && this.isStandard(alias)) return `${alias.name}${this.typeArguments(type.aliasTypeArguments ?? [], indent, where)}`;
    const symbol = type.getSymbol();
    if (!symbol || !(symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class)) || !this.isStandard(symbol)) return null;
    const parameters = (type.objectFlags & ts.ObjectFlags.Reference ? (type as ts.TypeReference).target : (type as ts.InterfaceType)).typeParameters ?? [];
    const args = type.objectFlags & ts.ObjectFlags.Reference ? this.checker.getTypeArguments(type as ts.TypeReference).slice(0, parameters.length) : [];
    return `${symbol.name}${this.typeArguments(args, indent, where)}`;
  }

  private typeArguments(args: readonly ts.Type[], indent: string, where: string): string {
    return args.length === 0 ? '' : `<${args.map((a) => this.print(a, indent, where)).join(', ')}>`;
  }

  private isStandard(symbol: ts.Symbol): boolean {
    return (symbol.declarations ?? []).some((d) => this.program.isSourceFileDefaultLibrary(d.getSourceFile()));
  }
}

function isReadonly(symbol: ts.Symbol): boolean {
  // A mapped type's property (Readonly<T>, zod's and drizzle's inferred shapes) says so in its check flags (8: Readonly).
  const checkFlags = symbol.flags & ts.SymbolFlags.Transient ? ((symbol as { links?: { checkFlags?: number } }).links?.checkFlags ?? 0) : 0;
  return (checkFlags & 8) !== 0 || (symbol.declarations ?? []).some((d) => (ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Readonly) !== 0);
}

function docComment(symbol: ts.Symbol, checker: ts.TypeChecker, indent: string): string {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  if (!text) return '';
  const lines = text.replaceAll('*/', '*\\/').split('\n');
  return lines.length === 1 ? `${indent}/** ${lines[0]} */\n` : `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

const propertyType = (checker: ts.TypeChecker, type: ts.Type, name: string): ts.Type => {
  const property = type.getProperty(name);
  if (!property) throw new Error(`expected a property ${name} on ${checker.typeToString(type)}`);
  return checker.getTypeOfSymbol(property);
};

export type RouterDeclarations = { text: string; procedures: number; warnings: string[] };

/**
 * `export type AppRouter = TRPCBuiltRouter<…>` for the router type exported as `exportName` by `routerFile`,
 * written with `@trpc/server`'s public types only: `inferRouterInputs`/`inferRouterOutputs`, the client's proxy and
 * `TRPCClientError<AppRouter>` (whose `data` is our error formatter's shape) all work on it as on the real router.
 */
export function routerDeclarations(program: ts.Program, routerFile: string, exportName: string, header: string): RouterDeclarations {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(routerFile);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  const routerSymbol = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === exportName);
  if (!routerSymbol) throw new Error(`${routerFile} exports no ${exportName}`);
  const router = checker.getDeclaredTypeOfSymbol(routerSymbol);
  const def = propertyType(checker, router, '_def');
  const printer = new StructuralPrinter(program, checker);
  const errorShape = printer.print(propertyType(checker, propertyType(checker, propertyType(checker, def, '_config'), '$types'), 'errorShape'), '', 'errorShape');
  let procedures = 0;

  const record = (type: ts.Type, indent: string, path: string): string => {
    const inner = `${indent}  `;
    const entries = type.getProperties().map((property) => {
      const value = checker.getTypeOfSymbol(property);
      const at = path ? `${path}.${property.name}` : property.name;
      const doc = docComment(property, checker, inner);
      if (!value.getProperty('_def')) return `${doc}${inner}${property.name}: ${record(value, inner, at)};`;
      procedures++;
      const procedureDef = propertyType(checker, value, '_def');
      const kind = propertyType(checker, procedureDef, 'type');
      const kindName = kind.isStringLiteral() ? (kind.value as keyof typeof procedureTypes) : null;
      if (!kindName || !(kindName in procedureTypes)) throw new Error(`${at}: unknown procedure kind ${checker.typeToString(kind)}`);
      const types = propertyType(checker, procedureDef, '$types');
      const body = `${inner}  `;
      const input = printer.print(propertyType(checker, types, 'input'), body, `${at} input`);
      const output = printer.print(propertyType(checker, types, 'output'), body, `${at} output`);
      return `${doc}${inner}${property.name}: ${procedureTypes[kindName]}<{\n${body}input: ${input};\n${body}output: ${output};\n${body}meta: object;\n${inner}}>;`;
    });
    return `{\n${entries.join('\n')}\n${indent}}`;
  };
  const records = record(propertyType(checker, def, 'record'), '', '');

  const text = [
    header,
    `import type { TRPCBuiltRouter, TRPCMutationProcedure, TRPCQueryProcedure, TRPCSubscriptionProcedure } from '@trpc/server';`,
    '',
    '/** What every error of the API carries (`TRPCClientError#shape`; its `data` is `TRPCClientError#data`). */',
    `export type ErrorShape = ${errorShape};`,
    '',
    `export type ${exportName} = TRPCBuiltRouter<{ ctx: object; meta: object; errorShape: ErrorShape; transformer: true }, ${records}>;`,
    '',
  ].join('\n');
  return { text, procedures, warnings: printer.warnings };
}

/**
 * Proves the written types the router's own: for every procedure, the same kind and mutually assignable input and
 * output (both ways, so nothing was lost or loosened), and the same error shape. A second program over the first's
 * files (parsed once) checks a file whose exported types come out `never`, or as the names of what differs.
 */
export function routerDifferences(program: ts.Program, routerFile: string, writtenFile: string): string[] {
  const checkFile = path.join(path.dirname(writtenFile), '__router-equivalence.ts');
  const importOf = (file: string) => JSON.stringify(file.replace(/\.d\.ts$|\.ts$/, ''));
  const text = `
import type { inferRouterError } from '@trpc/server';
import type { AppRouter as Source } from ${importOf(routerFile)};
import type { AppRouter as Written } from ${importOf(writtenFile)};
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Differences<A, B, P extends string> = {
  [K in keyof A & string]: K extends keyof B
    ? A[K] extends { _def: { type: infer AT; $types: { input: infer AI; output: infer AO } } }
      ? B[K] extends { _def: { type: infer BT; $types: { input: infer BI; output: infer BO } } }
        ? (Same<AT, BT> extends true ? never : \`\${P}\${K}: kind\`) | (Same<AI, BI> extends true ? never : \`\${P}\${K}: input\`) | (Same<AO, BO> extends true ? never : \`\${P}\${K}: output\`)
        : \`\${P}\${K}: not a procedure\`
      : Differences<A[K], B[K], \`\${P}\${K}.\`>
    : \`\${P}\${K}: missing\`;
}[keyof A & string];
type Extra<A, B, P extends string> = {
  [K in keyof B & string]: K extends keyof A ? (B[K] extends { _def: unknown } ? never : Extra<A[K], B[K], \`\${P}\${K}.\`>) : \`\${P}\${K}: only in the written types\`;
}[keyof B & string];
export type Procedures = Differences<Source['_def']['record'], Written['_def']['record'], ''> | Extra<Source['_def']['record'], Written['_def']['record'], ''>;
export type Errors = Same<inferRouterError<Source>, inferRouterError<Written>> extends true ? never : 'the error shape';
`;
  const options = program.getCompilerOptions();
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, version, ...rest) => (path.resolve(name) === checkFile ? ts.createSourceFile(name, text, version) : getSourceFile.call(host, name, version, ...rest));
  host.fileExists = (name) => path.resolve(name) === checkFile || fileExists.call(host, name);
  host.readFile = (name) => (path.resolve(name) === checkFile ? text : readFile.call(host, name));
  const check = ts.createProgram({ rootNames: [checkFile], options: { ...options, noEmit: true }, host, oldProgram: program });
  const source = check.getSourceFile(checkFile)!;
  const diagnostics = ts.getPreEmitDiagnostics(check, source).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (diagnostics.length > 0) return diagnostics;
  const checker = check.getTypeChecker();
  return source.statements.filter(ts.isTypeAliasDeclaration).flatMap((alias) => {
    if (!alias.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return [];
    const type = checker.getTypeAtLocation(alias.type);
    const members = type.isUnion() ? type.types : [type];
    return members.filter((t) => !(t.flags & ts.TypeFlags.Never)).map((t) => (t.isStringLiteral() ? t.value : checker.typeToString(t)));
  });
}
