import { z } from "zod";

export const toolListSchema = z
  .object({
    tools: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        available: z.boolean(),
        actions: z.array(
          z.object({
            name: z.string(),
            scope: z.string(),
            method: z.string(),
            description: z.string(),
            grantable: z.boolean(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: "ToolList" });
