# JAX, "The Autodiff Cookbook" and the grad() tutorial: derivatives of derivatives.
# grad(y, x) adds the nodes computing dy/dx to the graph, so differentiating that graph again
# gives the second derivative: tanh'(x) = 1 - tanh(x)^2 and
#   tanh''(x) = -2 tanh(x) (1 - tanh(x)^2)     (-0.7269 at x = 0.5)
# and a third: tanh'''(x) = -2 (1 - tanh^2)(1 - 3 tanh^2).
x = 0.5
y = tanh(x)
dy = grad(y, x)
d2y = grad(dy, x)
d3y = grad(d2y, x)
output(d2y)
