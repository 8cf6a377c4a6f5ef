import { antibodyClairon, antibodyClaironExpanded } from "./antibody-clairon.js";
import { ebolaPasin } from "./ebola-pasin.js";
import type { ExportFixture } from "./fixture.js";
import { geneNetwork } from "./gene-network.js";
import { logistic } from "./logistic.js";
import { lotkaVolterra } from "./lotka-volterra.js";
import { pkOral } from "./pk-oral.js";

export const FIXTURES: Record<string, ExportFixture> = {
  logistic,
  lotka_volterra: lotkaVolterra,
  antibody_clairon: antibodyClairon,
  antibody_clairon_expanded: antibodyClaironExpanded,
  ebola_pasin: ebolaPasin,
  pk_oral: pkOral,
  gene_network: geneNetwork,
};
