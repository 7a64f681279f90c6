// The console's front page, its health: the API's readiness, how far each read model lags the event
// store, the sagas (stuck ones first of all), how many dead letters each function holds, and the event
// store's integrity on request.
import { Grid } from "@radix-ui/themes";

import { ApiReadiness } from "./health/api-readiness";
import { DeadLetterDepth } from "./health/dead-letter-depth";
import { IntegrityCheck } from "./health/integrity-check";
import { ProjectionLag } from "./health/projection-lag";
import { SagaCounts } from "./sagas/saga-counts";

export default function ConsoleHealthPage() {
  return (
    <>
      <Grid columns={{ initial: "1", md: "2" }} gap="4">
        <ApiReadiness />
        <SagaCounts />
      </Grid>
      <ProjectionLag />
      <DeadLetterDepth />
      <IntegrityCheck />
    </>
  );
}
