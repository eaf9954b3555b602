# subagent/sampler.mk: placeholder until the sampler lands.
