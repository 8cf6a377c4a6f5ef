import * as prettier from "prettier";
const mk = (n: number, comments: boolean) => {
  const lines = ["function f(x: Float64Array, out: Float64Array): void {", "const x0 = x[0];"];
  for (let i = 0; i < n; i++) { if (comments && i % 60 === 0) lines.push("// d/dt g" + i); lines.push(`out[${i}] = x0 * x0;`); }
  lines.push("}");
  return lines.join("\n");
};
await prettier.format("const a = 1;", { parser: "babel-ts" });
for (const n of [1000, 2000, 4000]) for (const c of [false, true]) for (const parser of ["babel-ts", "typescript"]) {
  const text = mk(n, c);
  const t0 = performance.now();
  await prettier.format(text, { parser });
  console.log(n, c, parser, (performance.now() - t0).toFixed(0));
}
