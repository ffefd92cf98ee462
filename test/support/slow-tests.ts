// Integration and end-to-end tests wait on real stand-ins (SQS redelivery after a visibility
// timeout, a child `npm start`); Jest's 5 s default is too short for some of them.
jest.setTimeout(60_000);
