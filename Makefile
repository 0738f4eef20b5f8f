# The README's two commands. Both install whatever is missing first (see .ci/signet.sh).
.PHONY: run test
run:
	@.ci/signet.sh run
test:
	@.ci/signet.sh test
