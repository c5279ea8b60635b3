// The fake upstreams (test/fakes) for the connector tests, with their real types.
export {
  type FakeGmail,
  type FakeOpenAi,
  type FakeSerpApi,
  type FakeWebsite,
  type RecordedRequest,
  startFakeGmail,
  startFakeOpenAi,
  startFakeSerpApi,
  startFakeWebsite,
} from "../../../../test/fakes/index.js";
